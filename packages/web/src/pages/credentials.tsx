import { useState } from 'react';
import { sendJson } from '../api';
import { FormError, Loaded, SortableTable, useWrite, WriteForm, type Column } from '../components';
import { formatTime } from '../format';
import type { ApiState } from '../use-api';
import { PROVIDERS } from './route-form';
import type { CredentialsAnswer } from '../api-types';

/** A provider credential as the admin API lists it: never the secret. */
export type Credential = CredentialsAnswer['credentials'][number];

/** Adds a credential, or replaces the key (and provider) of `replacing`. */
function CredentialForm(props: {
  replacing?: Credential;
  onDone: () => void;
  onCancel?: () => void;
}) {
  const { replacing } = props;
  return (
    <WriteForm
      testId={replacing ? 'credential-replace' : 'credential-new'}
      submitLabel={replacing ? 'Replace key' : 'Add credential'}
      onCancel={props.onCancel}
      onSubmit={async (data, form) => {
        const name = replacing?.name ?? String(data.get('name') ?? '').trim();
        await sendJson('PUT', `/api/v1/admin/credentials/${encodeURIComponent(name)}`, {
          provider: data.get('provider'),
          apiKey: String(data.get('apiKey') ?? ''),
        });
        form.reset();
        props.onDone();
      }}
    >
      {!replacing && (
        <label>
          Name
          <input name="name" required placeholder="openai-main" />
        </label>
      )}
      <label>
        Provider
        <select name="provider" defaultValue={replacing?.provider ?? 'openai'}>
          {PROVIDERS.map((provider) => (
            <option key={provider}>{provider}</option>
          ))}
        </select>
      </label>
      <label>
        API key
        <input name="apiKey" type="password" autoComplete="off" required />
      </label>
    </WriteForm>
  );
}

/**
 * The org's provider credentials by name and provider (the key is stored
 * encrypted and never shown), with add, replace and delete for an admin of the org.
 */
export function CredentialsPanel(props: {
  credentials: ApiState<{ credentials: Credential[] }>;
  canEdit: boolean;
  onChange: () => void;
}) {
  const [replacing, setReplacing] = useState<string>();
  const { error, write } = useWrite();
  const remove = (credential: Credential) =>
    write(async () => {
      await sendJson('DELETE', `/api/v1/admin/credentials/${encodeURIComponent(credential.name)}`);
      props.onChange();
    });
  const columns: Column<Credential>[] = [
    { key: 'name', label: 'Name' },
    { key: 'provider', label: 'Provider' },
    { key: 'created_at', label: 'Stored', render: (row) => formatTime(row.created_at) },
  ];
  if (props.canEdit) {
    columns.push({
      key: 'actions',
      label: '',
      sortable: false,
      render: (credential) => (
        <>
          <button onClick={() => setReplacing(credential.name)}>Replace</button>{' '}
          <button onClick={() => void remove(credential)}>Delete</button>
        </>
      ),
    });
  }
  const replaced = props.credentials.data?.credentials.find((each) => each.name === replacing);
  return (
    <section className="panel">
      <h2>Provider credentials</h2>
      <FormError error={error} />
      <Loaded
        state={props.credentials}
        what="credentials"
        isEmpty={(data) => data.credentials.length === 0}
        emptyText="No credentials yet: a route's deployment names one to call its provider."
      >
        {(data) => (
          <SortableTable
            testId="credentials-table"
            rows={data.credentials}
            rowKey={(credential) => credential.name}
            columns={columns}
          />
        )}
      </Loaded>
      {props.canEdit && replaced && (
        <>
          <h3>Replace the key of {replaced.name}</h3>
          <CredentialForm
            key={replaced.name}
            replacing={replaced}
            onDone={() => {
              setReplacing(undefined);
              props.onChange();
            }}
            onCancel={() => setReplacing(undefined)}
          />
        </>
      )}
      {props.canEdit && (
        <>
          <h3>New credential</h3>
          <CredentialForm onDone={props.onChange} />
        </>
      )}
    </section>
  );
}
