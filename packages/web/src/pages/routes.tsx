import { useState } from 'react';
import { sendJson } from '../api';
import { FormError, Loaded, Notice, PageHeader, SortableTable, useWrite } from '../components';
import { formatCount, formatDuration, formatTime } from '../format';
import { useAccess, useApi } from '../use-api';
import { CredentialsPanel } from './credentials';
import { RouteForm, type DeploymentConfig, type RouteConfig } from './route-form';
import type { CredentialsAnswer, ProvidersHealthAnswer } from '../api-types';

/** A route of the org, as `GET /api/v1/admin/routes` lists it. */
interface OrgRoute {
  model: string;
  config: RouteConfig;
  updated_at: string;
}

/** A route of the routes file, as `GET /api/v1/admin/routes-file` shows it to the org. */
interface FileRoute {
  model: string;
  overridden: boolean;
  config: RouteConfig;
}

/** A deployment's breaker, from `GET /api/v1/providers/health`. */
type Health = ProvidersHealthAnswer['deployments'][number];

/** Breaker states as the badges name them. */
const BREAKER_BADGES: Record<string, string> = {
  closed: 'closed',
  open: 'open',
  'half-open': 'half_open',
};

const idOf = (deployment: DeploymentConfig) =>
  deployment.id ?? `${deployment.provider}:${deployment.model}`;

/** The breaker state of each deployment of each route the org uses, by route and deployment id. */
function breakersOf(health: Health[] | undefined): Map<string, string> {
  const states = new Map<string, string>();
  for (const deployment of health ?? []) {
    for (const route of deployment.routes) {
      states.set(`${route}\u0000${deployment.id}`, deployment.breaker.state);
    }
  }
  return states;
}

/** A route's deployments: how each is tried, and its circuit breaker. */
function DeploymentsTable(props: {
  model: string;
  config: RouteConfig;
  breakers: Map<string, string>;
}) {
  return (
    <SortableTable
      testId={`route-deployments-${props.model}`}
      rows={props.config.deployments}
      columns={[
        { key: 'id', label: 'Deployment', value: idOf, render: idOf },
        { key: 'provider', label: 'Provider' },
        { key: 'model', label: 'Upstream model' },
        { key: 'priority', label: 'Priority', align: 'right' },
        { key: 'weight', label: 'Weight', align: 'right' },
        {
          key: 'timeoutMs',
          label: 'Timeout',
          align: 'right',
          render: (deployment) => formatDuration(deployment.timeoutMs),
        },
        {
          key: 'maxRetries',
          label: 'Retries',
          align: 'right',
          render: (deployment) => formatCount(deployment.maxRetries),
        },
        {
          key: 'credential',
          label: 'Credential',
          render: (deployment) => deployment.credential ?? '–',
        },
        {
          key: 'breaker',
          label: 'Breaker',
          value: (deployment) =>
            props.breakers.get(`${props.model}\u0000${idOf(deployment)}`) ?? '',
          render: (deployment) => {
            const state = props.breakers.get(`${props.model}\u0000${idOf(deployment)}`);
            return state ? (
              <span className={`badge ${BREAKER_BADGES[state] ?? ''}`}>{state}</span>
            ) : (
              '–'
            );
          },
        },
      ]}
    />
  );
}

/**
 * Gateway routes: the org's own (created, changed and deleted here through the
 * audited admin API), the routes file's (read-only; an org route of the same
 * model overrides one), and the provider credentials routes name.
 */
export function RoutesPage() {
  const access = useAccess();
  // The admin API only: a project key's page asks for nothing.
  const admin = access.admin;
  const routes = useApi<{ routes: OrgRoute[] }>(admin ? '/api/v1/admin/routes' : null);
  const fileRoutes = useApi<{ routes: FileRoute[] }>(admin ? '/api/v1/admin/routes-file' : null);
  const credentials = useApi<CredentialsAnswer>(admin ? '/api/v1/admin/credentials' : null);
  const health = useApi<ProvidersHealthAnswer>(admin ? '/api/v1/providers/health' : null);
  const [editing, setEditing] = useState<string>();
  const { error, write } = useWrite();
  if (access.loading) return <Notice kind="loading">Loading routes…</Notice>;
  if (!admin) {
    return (
      <>
        <PageHeader title="Routes" />
        <Notice kind="unavailable">Routes are managed with an org admin key.</Notice>
      </>
    );
  }
  const reload = () => {
    routes.reload();
    fileRoutes.reload();
    health.reload();
  };
  const breakers = breakersOf(health.data?.deployments);
  const credentialNames = (credentials.data?.credentials ?? []).map((each) => each.name);
  const remove = (route: OrgRoute) =>
    write(async () => {
      await sendJson('DELETE', `/api/v1/admin/routes/${encodeURIComponent(route.model)}`);
      if (editing === route.model) setEditing(undefined);
      reload();
    });
  return (
    <>
      <PageHeader title="Routes" />
      <section className="panel">
        <h2>Organization routes</h2>
        <p>
          A model name clients ask for, served by its deployments: the lowest priority first, shared
          by weight within a priority, failing over to the next priority.
        </p>
        <FormError error={error} />
        <Loaded
          state={routes}
          what="routes"
          isEmpty={(data) => data.routes.length === 0}
          emptyText="No routes of this organization yet."
        >
          {(data) => (
            <>
              {data.routes.map((route) => (
                <div key={route.model} data-testid="org-route" data-model={route.model}>
                  <h3>
                    {route.model} <small>changed {formatTime(route.updated_at)}</small>{' '}
                    {access.canEdit && (
                      <>
                        <button onClick={() => setEditing(route.model)}>Edit</button>{' '}
                        <button onClick={() => void remove(route)}>Delete</button>
                      </>
                    )}
                  </h3>
                  <DeploymentsTable model={route.model} config={route.config} breakers={breakers} />
                  {access.canEdit && editing === route.model && (
                    <RouteForm
                      key={`${route.model} ${route.updated_at}`}
                      model={route.model}
                      config={route.config}
                      credentials={credentialNames}
                      onDone={() => {
                        setEditing(undefined);
                        reload();
                      }}
                      onCancel={() => setEditing(undefined)}
                    />
                  )}
                </div>
              ))}
            </>
          )}
        </Loaded>
        {access.canEdit && (
          <>
            <h3>New route</h3>
            <RouteForm credentials={credentialNames} onDone={reload} />
          </>
        )}
      </section>
      <section className="panel">
        <h2>Routes file (read-only)</h2>
        <Loaded
          state={fileRoutes}
          what="routes file"
          isEmpty={(data) => data.routes.length === 0}
          emptyText="This server has no routes file (TOLLGATE_ROUTES)."
        >
          {(data) => (
            <>
              {data.routes.map((route) => (
                <div key={route.model} data-testid="file-route" data-model={route.model}>
                  <h3>
                    {route.model}{' '}
                    {route.overridden && (
                      <span className="badge">overridden by the organization&apos;s route</span>
                    )}
                  </h3>
                  {/* An overridden route is not used: the breakers shown are the org route's. */}
                  <DeploymentsTable
                    model={route.model}
                    config={route.config}
                    breakers={route.overridden ? new Map() : breakers}
                  />
                </div>
              ))}
            </>
          )}
        </Loaded>
      </section>
      <CredentialsPanel
        credentials={credentials}
        canEdit={access.canEdit}
        onChange={() => {
          credentials.reload();
          reload();
        }}
      />
    </>
  );
}
