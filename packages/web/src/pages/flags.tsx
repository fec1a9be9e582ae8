import { PageHeader, RecordList } from '../components';
import { useApi } from '../use-api';

export function FlagsPage() {
  const flags = useApi<unknown>('/api/v1/flags');
  return (
    <>
      <PageHeader title="Feature flags" />
      <RecordList testId="flags-table" state={flags} what="feature flags" />
    </>
  );
}
