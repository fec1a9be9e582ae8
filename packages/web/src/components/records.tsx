import type { ApiState } from '../use-api';
import { Loaded } from './states';
import { SortableTable, type Column } from './sortable-table';

/** JSON or text of an event's input or output, readable. */
export function Payload({ value }: { value: unknown }) {
  if (value === null || value === undefined || value === '') return <em>none</em>;
  let text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  try {
    if (typeof value === 'string') text = JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    // Plain text.
  }
  return <pre className="payload">{text}</pre>;
}

/** Columns for a list of records whose shape this page does not know (APIs still being built). */
export function columnsOf(
  rows: readonly Record<string, unknown>[],
): Column<Record<string, unknown>>[] {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))].slice(0, 8);
  return keys.map((key) => ({
    key,
    label: key.replaceAll('_', ' '),
    render: (row) => {
      const value = row[key];
      return typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : String(value ?? '');
    },
  }));
}

/** The first list in an answer (`{ prompts: [...] }`, `{ budgets: [...] }`, or the answer itself). */
export function listIn(answer: unknown): Record<string, unknown>[] {
  if (Array.isArray(answer)) return answer as Record<string, unknown>[];
  if (typeof answer === 'object' && answer !== null) {
    const list = Object.values(answer).find(Array.isArray);
    if (list) return list as Record<string, unknown>[];
  }
  return [];
}

/**
 * A table of the records an endpoint lists, for APIs whose shape is still
 * settling (prompts, budgets, flags): a 404 shows as "not available".
 */
export function RecordList(props: {
  state: ApiState<unknown>;
  what: string;
  onSelect?: (row: Record<string, unknown>) => void;
  testId?: string;
}) {
  return (
    <Loaded
      state={props.state}
      what={props.what}
      isEmpty={(data) => listIn(data).length === 0}
      emptyText={`No ${props.what} yet.`}
    >
      {(data) => {
        const rows = listIn(data);
        return (
          <SortableTable
            testId={props.testId}
            rows={rows}
            columns={columnsOf(rows)}
            onSelect={props.onSelect}
          />
        );
      }}
    </Loaded>
  );
}
