import { useState } from 'react';
import { sendJson } from '../api';
import {
  FormError,
  Loaded,
  useWrite,
  WriteForm,
  Notice,
  PageHeader,
  SortableTable,
  type Column,
} from '../components';
import { formatTime } from '../format';
import { useAccess, useApi } from '../use-api';
import type { AdminFlagsAnswer, FlagValuesAnswer } from '../api-types';

/** A flag as the admin API shows it: a default with overrides per project and per app user. */
type Flag = AdminFlagsAnswer['flags'][number] & {
  /** A built-in flag the org has not defined: its default is the gateway's. */
  builtIn?: boolean;
};
type Override = Flag['overrides'][number];
/** One of the gateway's own flags, with its default until the org defines it. */
type BuiltInFlag = AdminFlagsAnswer['built_in'][number];
/** The org's flags and the built-in ones it has not defined (shown with their defaults). */
function flagRows(answer: { flags: Flag[]; built_in?: BuiltInFlag[] }): Flag[] {
  const builtIn = answer.built_in ?? [];
  return [
    ...answer.flags,
    ...builtIn
      .filter((flag) => !flag.defined)
      .map((flag) => ({
        name: flag.name,
        description: null,
        default: flag.default,
        overrides: [],
        updated_at: '',
        builtIn: true,
      })),
  ];
}

function OnOff({ on }: { on: boolean }) {
  return <span className={`badge ${on ? 'success' : 'error'}`}>{on ? 'on' : 'off'}</span>;
}

/** The overrides in words, projects by name where the list of projects has them. */
function overridesText(flag: Flag, projectNames: ReadonlyMap<string, string>): string {
  if (flag.overrides.length === 0) return 'none';
  return flag.overrides
    .map((override) => {
      const target = [
        override.project_id &&
          `project ${projectNames.get(override.project_id) ?? override.project_id}`,
        override.user_id && `user ${override.user_id}`,
      ]
        .filter(Boolean)
        .join(' + ');
      return `${target}: ${override.enabled ? 'on' : 'off'}`;
    })
    .join(', ');
}

/** Creates a flag (no `editing`) or replaces one: its default, description and overrides. */
function FlagForm(props: {
  editing?: Flag;
  projects: { id: string; name: string }[];
  onDone: () => void;
  onCancel?: () => void;
}) {
  const { editing } = props;
  const [overrides, setOverrides] = useState<Override[]>(editing?.overrides ?? []);
  const change = (index: number, changes: Partial<Override>) =>
    setOverrides(overrides.map((each, at) => (at === index ? { ...each, ...changes } : each)));
  return (
    <WriteForm
      testId={editing ? 'flag-edit' : 'flag-new'}
      submitLabel={editing ? 'Save' : 'Add flag'}
      onCancel={props.onCancel}
      onSubmit={async (data, form) => {
        const name = editing?.name ?? String(data.get('name') ?? '').trim();
        const description = String(data.get('description') ?? '').trim();
        await sendJson('PUT', `/api/v1/admin/flags/${encodeURIComponent(name)}`, {
          default: data.get('default') === 'on',
          description: description || null,
          overrides: overrides.map((override) => ({
            project_id: override.project_id || null,
            user_id: override.user_id?.trim() || null,
            enabled: override.enabled,
          })),
        });
        if (!editing) {
          form.reset();
          setOverrides([]);
        }
        props.onDone();
      }}
    >
      {!editing && (
        <label>
          Name
          <input name="name" required placeholder="new_checkout" />
        </label>
      )}
      <label>
        Description
        <input name="description" defaultValue={editing?.description ?? ''} />
      </label>
      <label>
        <input type="checkbox" name="default" defaultChecked={editing?.default ?? false} /> On by
        default
      </label>
      {overrides.map((override, index) => (
        <fieldset key={index} data-testid="flag-override">
          <legend>Override {index + 1}</legend>
          <label>
            Project
            <select
              value={override.project_id ?? ''}
              onChange={(event) => change(index, { project_id: event.target.value || null })}
            >
              <option value="">any project</option>
              {props.projects.map((project) => (
                <option key={project.id} value={project.id}>
                  {project.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            User id
            <input
              value={override.user_id ?? ''}
              onChange={(event) => change(index, { user_id: event.target.value || null })}
            />
          </label>
          <label>
            <input
              type="checkbox"
              checked={override.enabled}
              onChange={(event) => change(index, { enabled: event.target.checked })}
            />{' '}
            On
          </label>
          <button
            type="button"
            onClick={() => setOverrides(overrides.filter((_, at) => at !== index))}
          >
            Remove
          </button>
        </fieldset>
      ))}
      <button
        type="button"
        onClick={() =>
          setOverrides([...overrides, { project_id: null, user_id: null, enabled: true }])
        }
      >
        Add override
      </button>
    </WriteForm>
  );
}

/** What an org admin manages: every flag with its default and overrides. */
function ManagedFlags({ canEdit }: { canEdit: boolean }) {
  const flags = useApi<AdminFlagsAnswer>('/api/v1/admin/flags');
  const access = useAccess();
  const [editing, setEditing] = useState<string>();
  const { error, write } = useWrite();
  const projectList = access.projects;
  const projectNames = new Map(projectList.map((project) => [project.id, project.name]));
  const remove = (flag: Flag) =>
    write(async () => {
      await sendJson('DELETE', `/api/v1/admin/flags/${encodeURIComponent(flag.name)}`);
      flags.reload();
    });
  const columns: Column<Flag>[] = [
    { key: 'name', label: 'Name' },
    {
      key: 'description',
      label: 'Description',
      render: (flag) => (flag.builtIn ? 'built-in (gateway default)' : (flag.description ?? '')),
    },
    {
      key: 'default',
      label: 'Default',
      value: (flag) => String(flag.default),
      render: (flag) => <OnOff on={flag.default} />,
    },
    {
      key: 'overrides',
      label: 'Overrides',
      value: (flag) => overridesText(flag, projectNames),
      render: (flag) => overridesText(flag, projectNames),
    },
    {
      key: 'updated_at',
      label: 'Changed',
      render: (flag) => (flag.updated_at ? formatTime(flag.updated_at) : 'never'),
    },
  ];
  if (canEdit) {
    columns.push({
      key: 'actions',
      label: '',
      sortable: false,
      render: (flag) => (
        <>
          <button onClick={() => setEditing(flag.name)}>Edit</button>{' '}
          {!flag.builtIn && <button onClick={() => void remove(flag)}>Delete</button>}
        </>
      ),
    });
  }
  const edited = flags.data && flagRows(flags.data).find((flag) => flag.name === editing);
  return (
    <section className="panel">
      <FormError error={error} />
      <Loaded
        state={flags}
        what="feature flags"
        isEmpty={(data) => flagRows(data).length === 0}
        emptyText="No feature flags yet."
      >
        {(data) => (
          <SortableTable
            testId="flags-table"
            rows={flagRows(data)}
            rowKey={(flag) => flag.name}
            columns={columns}
          />
        )}
      </Loaded>
      {canEdit && edited && (
        <>
          <h3>Change {edited.name}</h3>
          <FlagForm
            key={edited.name}
            editing={edited}
            projects={projectList}
            onDone={() => {
              setEditing(undefined);
              flags.reload();
            }}
            onCancel={() => setEditing(undefined)}
          />
        </>
      )}
      {canEdit && (
        <>
          <h3>New flag</h3>
          <FlagForm projects={projectList} onDone={flags.reload} />
        </>
      )}
    </section>
  );
}

/** What any reader sees: each flag's value for its key. */
function FlagValues() {
  const flags = useApi<FlagValuesAnswer>('/api/v1/flags');
  return (
    <section className="panel">
      <Loaded
        state={flags}
        what="feature flags"
        isEmpty={(data) => data.flags.length === 0}
        emptyText="No feature flags yet."
      >
        {(data) => (
          <SortableTable
            testId="flags-table"
            rows={data.flags}
            rowKey={(flag) => flag.name}
            columns={[
              { key: 'name', label: 'Name' },
              {
                key: 'enabled',
                label: 'Value for this key',
                value: (flag) => String(flag.enabled),
                render: (flag) => <OnOff on={flag.enabled} />,
              },
            ]}
          />
        )}
      </Loaded>
    </section>
  );
}

export function FlagsPage() {
  const access = useAccess();
  return (
    <>
      <PageHeader title="Feature flags" />
      {access.loading ? (
        <Notice kind="loading">Loading feature flags…</Notice>
      ) : access.admin ? (
        <ManagedFlags canEdit={access.canEdit} />
      ) : (
        <FlagValues />
      )}
    </>
  );
}
