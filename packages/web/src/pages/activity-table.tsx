import { SortableTable, type Column } from '../components';
import { formatCount, formatPercent, formatTime, formatUsd } from '../format';
import type { ActivityAnswer } from '../api-types';

/** An end user or a session in the range, as `/api/v1/analytics/users` and `/sessions` list them. */
export type Activity = ActivityAnswer;

/** Cost of the priced calls, and how many calls have no price (their cost is unknown, not $0). */
export function activityCost(row: { cost_usd: string; unpriced_calls: number }): string {
  const cost = formatUsd(row.cost_usd);
  return row.unpriced_calls > 0 ? `${cost} + ${row.unpriced_calls} unpriced` : cost;
}

/** The columns both lists share, after the first (the user or the session). */
export function activityColumns<Row extends Activity>(): Column<Row>[] {
  return [
    { key: 'calls', label: 'Calls', align: 'right', render: (row) => formatCount(row.calls) },
    {
      key: 'tokens',
      label: 'Tokens',
      align: 'right',
      value: (row) => row.input_tokens + row.output_tokens,
      render: (row) => formatCount(row.input_tokens + row.output_tokens),
    },
    {
      key: 'cost_usd',
      label: 'Cost',
      align: 'right',
      value: (row) => Number(row.cost_usd),
      render: activityCost,
    },
    {
      key: 'error_rate',
      label: 'Error rate',
      align: 'right',
      value: (row) => row.error_rate ?? -1,
      render: (row) => formatPercent(row.error_rate),
    },
    { key: 'runs', label: 'Runs', align: 'right' },
    { key: 'last_seen', label: 'Last seen', render: (row) => formatTime(row.last_seen) },
  ];
}

/** A list of users or sessions; a click opens one. */
export function ActivityTable(props: {
  rows: Activity[];
  first: Column<Activity>[];
  onSelect: (row: Activity) => void;
  testId: string;
}) {
  return (
    <SortableTable
      testId={props.testId}
      rows={props.rows}
      rowKey={(row) => row.id}
      onSelect={props.onSelect}
      columns={[...props.first, ...activityColumns<Activity>()]}
    />
  );
}
