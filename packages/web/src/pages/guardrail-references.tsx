import { sendJson } from '../api';
import { FormError, Loaded, Notice, SortableTable, useWrite, WriteForm } from '../components';
import { formatTime } from '../format';
import { useParams } from '../url-state';
import { projectOf, useAccess, useApi } from '../use-api';
import type { GuardrailReferencesAnswer } from '../api-types';

type Reference = GuardrailReferencesAnswer['references'][number];

/**
 * A project's guardrail references (org admin keys): reference prompts the
 * gateway compares each prompt with, each with a similarity threshold and an
 * action, added and removed through the audited admin API.
 */
export function GuardrailReferences() {
  const access = useAccess();
  const [params] = useParams();
  const projectId = projectOf(access, params.get('project_id'));
  const path = projectId
    ? `/api/v1/admin/projects/${encodeURIComponent(projectId)}/guardrails`
    : null;
  const references = useApi<GuardrailReferencesAnswer>(access.admin ? path : null);
  const { error, write } = useWrite();
  if (access.loading || !access.admin) return null;
  const remove = (reference: Reference) =>
    write(async () => {
      await sendJson('DELETE', `${path}/${encodeURIComponent(reference.id)}`);
      references.reload();
    });
  return (
    <section className="panel" data-testid="guardrail-references">
      <h2>Reference prompts</h2>
      {!path ? (
        <Notice kind="empty">Choose a project above to manage its guardrail references.</Notice>
      ) : (
        <>
          <FormError error={error} />
          <Loaded
            state={references}
            what="guardrail references"
            isEmpty={(data) => data.references.length === 0}
            emptyText="No guardrail references in this project yet."
          >
            {(data) => (
              <SortableTable
                testId="guardrail-references-table"
                rows={data.references}
                rowKey={(reference) => reference.id}
                columns={[
                  { key: 'name', label: 'Name' },
                  { key: 'text', label: 'Reference prompt' },
                  { key: 'threshold', label: 'Threshold', align: 'right' },
                  { key: 'action', label: 'Action' },
                  {
                    key: 'created_at',
                    label: 'Added',
                    render: (reference) => formatTime(reference.created_at),
                  },
                  ...(access.canEdit
                    ? [
                        {
                          key: 'actions',
                          label: '',
                          sortable: false,
                          render: (reference: Reference) => (
                            <button onClick={() => void remove(reference)}>Delete</button>
                          ),
                        },
                      ]
                    : []),
                ]}
              />
            )}
          </Loaded>
          {access.canEdit && (
            <WriteForm
              testId="guardrail-reference-new"
              submitLabel="Add reference"
              onSubmit={async (data, form) => {
                const threshold = String(data.get('threshold') ?? '').trim();
                await sendJson('POST', path, {
                  name: String(data.get('name') ?? '').trim(),
                  text: String(data.get('text') ?? ''),
                  ...(threshold ? { threshold: Number(threshold) } : {}),
                  action: String(data.get('action') ?? 'flag'),
                });
                form.reset();
                references.reload();
              }}
            >
              <label>
                Name
                <input name="name" required />
              </label>
              <label>
                Reference prompt
                <textarea name="text" required rows={2} />
              </label>
              <label>
                Threshold
                <input name="threshold" inputMode="decimal" placeholder="0.8" />
              </label>
              <label>
                Action
                <select name="action" defaultValue="flag">
                  <option value="allow">allow</option>
                  <option value="flag">flag</option>
                  <option value="block">block</option>
                </select>
              </label>
            </WriteForm>
          )}
        </>
      )}
    </section>
  );
}
