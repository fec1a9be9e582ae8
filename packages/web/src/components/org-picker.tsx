import { ORG_PARAMETER, useSelectedOrgId } from '../url-state';
import { useAccess } from '../use-api';

/**
 * For an admin of the operator organization: which org the dashboard reads
 * (`org_id` in the URL). Hidden for every other key, which sees only its own.
 */
export function OrgPicker() {
  const access = useAccess();
  const selected = useSelectedOrgId();
  if (access.organizations.length < 2) return null;
  const own = access.organizations.find((org) => org.operator);
  return (
    <label className="org-picker" style={{ display: 'block', padding: '0 16px 12px' }}>
      Organization
      <select
        aria-label="Organization"
        value={selected ?? own?.id ?? ''}
        onChange={(event) => {
          const next = new URLSearchParams(window.location.search);
          const chosen = event.target.value;
          if (chosen === own?.id) next.delete(ORG_PARAMETER);
          else next.set(ORG_PARAMETER, chosen);
          // Projects belong to one org: a chosen project does not carry over.
          next.delete('project_id');
          const query = next.toString();
          // A full load: every read, live streams included, starts again in the chosen org.
          window.location.assign(`${window.location.pathname}${query ? `?${query}` : ''}`);
        }}
      >
        {access.organizations.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
            {org.operator ? ' (operator)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}
