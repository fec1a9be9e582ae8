import { PageHeader, RecordList } from '../components';
import { useParams } from '../url-state';
import { useApi } from '../use-api';

/** Budgets with their spend so far, and the rate limits of the org's keys and projects. */
export function BudgetsPage() {
  const [params] = useParams();
  const budgets = useApi<unknown>('/api/v1/budgets', { project_id: params.get('project_id') });
  const projects = useApi<unknown>('/api/v1/admin/projects');
  return (
    <>
      <PageHeader title="Budgets & limits" />
      <section className="panel">
        <h2>Budgets</h2>
        <RecordList testId="budgets-table" state={budgets} what="budgets" />
      </section>
      <section className="panel">
        <h2>Project rate limits (org admin keys)</h2>
        <RecordList state={projects} what="projects" />
      </section>
    </>
  );
}
