import { Filters, Loaded, PageHeader, SortableTable, Stat, TimeRangePicker } from '../components';
import { formatCount, formatHour, formatPercent, formatTime, formatUsd } from '../format';
import { navigate, useParams, useTimeRange } from '../url-state';
import { useApi } from '../use-api';
import { ActivityTable, activityCost } from './activity-table';
import type { BudgetCheckAnswer, UserDetailAnswer, UsersAnswer } from '../api-types';

type UserAnswer = UserDetailAnswer;

const open = (page: string, id: string) =>
  navigate(`/${page}/${encodeURIComponent(id)}${window.location.search}`);

/** Spend per bucket as bars (widths relative to the largest bucket). */
function SpendBars({ spend }: { spend: UserAnswer['spend'] }) {
  const most = Math.max(...spend.map((bucket) => Number(bucket.cost_usd)), 0);
  return (
    <div className="spend-bars" data-testid="user-spend">
      {spend.map((bucket) => (
        <div className="row" key={bucket.bucket} data-cost={bucket.cost_usd}>
          <span>{formatHour(bucket.bucket)}</span>
          <span className="track">
            <span
              className="bar"
              style={{ width: `${most > 0 ? (100 * Number(bucket.cost_usd)) / most : 0}%` }}
            />
          </span>
          <span className="right">
            {activityCost(bucket)} · {formatCount(bucket.calls)} calls
          </span>
        </div>
      ))}
    </div>
  );
}

function UserBudgets({ userId }: { userId: string }) {
  const budgets = useApi<BudgetCheckAnswer>('/api/v1/budgets/check', {
    scope: 'user',
    id: userId,
  });
  return (
    <Loaded
      state={budgets}
      what="budgets"
      isEmpty={(data) => data.budgets.length === 0}
      emptyText="No budget for this user."
    >
      {(data) => (
        <SortableTable
          testId="user-budgets"
          rows={data.budgets}
          rowKey={(budget) => budget.id}
          columns={[
            { key: 'period', label: 'Period' },
            { key: 'limit_usd', label: 'Limit', render: (budget) => formatUsd(budget.limit_usd) },
            { key: 'spent_usd', label: 'Spent', render: (budget) => formatUsd(budget.spent_usd) },
            { key: 'state', label: 'State' },
          ]}
        />
      )}
    </Loaded>
  );
}

function UserPage({ userId }: { userId: string }) {
  const range = useTimeRange();
  const [params] = useParams();
  const user = useApi<UserAnswer>(`/api/v1/analytics/users/${encodeURIComponent(userId)}`, {
    from: range.from,
    to: range.to,
    project_id: params.get('project_id'),
  });
  return (
    <>
      <PageHeader title={`User ${userId}`}>
        <TimeRangePicker />
        <button onClick={() => navigate(`/users${window.location.search}`)}>All users</button>
      </PageHeader>
      <Loaded
        state={user}
        what="activity"
        isEmpty={(data) => data.totals === null}
        emptyText="This user has no events in this time range."
      >
        {(data) => {
          const totals = data.totals!;
          return (
            <>
              <div className="stats">
                <Stat label="Calls" value={formatCount(totals.calls)} raw={totals.calls} />
                <Stat
                  label="Cost"
                  value={activityCost(totals)}
                  raw={totals.cost_usd}
                  testId="user-cost"
                />
                <Stat
                  label="Tokens"
                  value={formatCount(totals.input_tokens + totals.output_tokens)}
                />
                <Stat label="Error rate" value={formatPercent(totals.error_rate)} />
                <Stat label="Last seen" value={formatTime(totals.last_seen)} />
              </div>
              <section className="panel">
                <h2>Spend per {data.bucket}</h2>
                <SpendBars spend={data.spend} />
              </section>
              <section className="panel">
                <h2>Sessions</h2>
                {data.sessions.length === 0 ? (
                  <p>No sessions: this user’s calls named none.</p>
                ) : (
                  <ActivityTable
                    testId="user-sessions"
                    rows={data.sessions}
                    first={[{ key: 'id', label: 'Session' }]}
                    onSelect={(session) => open('sessions', session.id)}
                  />
                )}
              </section>
            </>
          );
        }}
      </Loaded>
      <section className="panel">
        <h2>Budgets</h2>
        <UserBudgets userId={userId} />
      </section>
    </>
  );
}

/** The app's end users (`user_id`) in the range; one user's page at `/users/<id>`. */
export function UsersPage({ rest }: { rest: string }) {
  const range = useTimeRange();
  const [params] = useParams();
  const users = useApi<UsersAnswer>(rest ? null : '/api/v1/analytics/users', {
    from: range.from,
    to: range.to,
    project_id: params.get('project_id'),
    q: params.get('q'),
    session_id: params.get('session_id'),
    name: params.get('name'),
    limit: 1000,
  });
  if (rest) return <UserPage userId={rest} />;
  return (
    <>
      <PageHeader title="Users">
        <TimeRangePicker />
      </PageHeader>
      <Filters fields={{ q: 'Search text', session_id: 'Session', name: 'Run name' }} />
      <Loaded state={users} what="users" isEmpty={(data) => data.users.length === 0}>
        {(data) => (
          <ActivityTable
            testId="users-table"
            rows={data.users}
            first={[
              { key: 'id', label: 'User' },
              { key: 'sessions', label: 'Sessions', align: 'right' },
            ]}
            onSelect={(user) => open('users', user.id)}
          />
        )}
      </Loaded>
    </>
  );
}
