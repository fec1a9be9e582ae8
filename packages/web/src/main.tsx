import { lazy, StrictMode, Suspense, useState, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { getJson, session } from './api';
import { Notice, OrgPicker } from './components';
import { OverviewPage } from './pages/overview';
import { navigate, useLocation } from './url-state';
import { useAccess } from './use-api';
import './styles.css';

type PageComponent = ComponentType<{ rest: string }>;

/**
 * A page loaded when first opened: its code (and the chart library, for the
 * pages with charts) is a chunk of its own, so the overview starts with
 * only what it needs.
 */
function lazyPage<Module>(
  load: () => Promise<Module>,
  pick: (module: Module) => PageComponent,
): PageComponent {
  return lazy(() => load().then((module) => ({ default: pick(module) })));
}

/**
 * The pages, in menu order; the server answers index.html for each path.
 * `admin`: listed for org admin keys only (the page reads the admin API).
 */
const PAGES: { path: string; title: string; page: PageComponent; admin?: boolean }[] = [
  { path: 'overview', title: 'Overview', page: OverviewPage },
  {
    path: 'costs',
    title: 'Costs',
    page: lazyPage(
      () => import('./pages/costs'),
      (module) => module.CostsPage,
    ),
  },
  {
    path: 'recommendations',
    title: 'Recommendations',
    page: lazyPage(
      () => import('./pages/recommendations'),
      (module) => module.RecommendationsPage,
    ),
  },
  {
    path: 'traces',
    title: 'Traces',
    page: lazyPage(
      () => import('./pages/traces'),
      (module) => module.TracesPage,
    ),
  },
  {
    path: 'requests',
    title: 'Requests',
    page: lazyPage(
      () => import('./pages/requests'),
      (module) => module.RequestsPage,
    ),
  },
  {
    path: 'users',
    title: 'Users',
    page: lazyPage(
      () => import('./pages/users'),
      (module) => module.UsersPage,
    ),
  },
  {
    path: 'sessions',
    title: 'Sessions',
    page: lazyPage(
      () => import('./pages/sessions'),
      (module) => module.SessionsPage,
    ),
  },
  {
    path: 'prompts',
    title: 'Prompts',
    page: lazyPage(
      () => import('./pages/prompts'),
      (module) => module.PromptsPage,
    ),
  },
  {
    path: 'providers',
    title: 'Providers',
    page: lazyPage(
      () => import('./pages/providers'),
      (module) => module.ProvidersPage,
    ),
  },
  {
    path: 'routes',
    title: 'Routes',
    admin: true,
    page: lazyPage(
      () => import('./pages/routes'),
      (module) => module.RoutesPage,
    ),
  },
  {
    path: 'budgets',
    title: 'Budgets & limits',
    page: lazyPage(
      () => import('./pages/budgets'),
      (module) => module.BudgetsPage,
    ),
  },
  {
    path: 'flags',
    title: 'Feature flags',
    page: lazyPage(
      () => import('./pages/flags'),
      (module) => module.FlagsPage,
    ),
  },
  {
    path: 'guardrails',
    title: 'Guardrails',
    page: lazyPage(
      () => import('./pages/guardrails'),
      (module) => module.GuardrailsPage,
    ),
  },
  {
    path: 'fallbacks',
    title: 'AI fallbacks',
    page: lazyPage(
      () => import('./pages/fallbacks'),
      (module) => module.FallbacksPage,
    ),
  },
  {
    path: 'alerts',
    title: 'Alerts',
    page: lazyPage(
      () => import('./pages/alerts'),
      (module) => module.AlertsPage,
    ),
  },
];

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string>();
  return (
    <form
      className="sign-in"
      onSubmit={async (event) => {
        event.preventDefault();
        const key = String(new FormData(event.currentTarget).get('key') ?? '').trim();
        session.signIn(key);
        try {
          // Any read proves the key: a project key sees its project, an org key its org.
          await getJson('/api/v1/metrics/summary', { groupBy: 'none', org_id: null });
          onSignedIn();
        } catch (failure) {
          session.signOut();
          setError(failure instanceof Error ? failure.message : String(failure));
        }
      }}
    >
      <h1>Tollgate</h1>
      <p>
        Sign in with an API key with the read scope: an org admin key sees the organization, a
        project key its project.
      </p>
      <input
        name="key"
        type="password"
        placeholder="tg_…"
        autoComplete="off"
        aria-label="API key"
      />
      <button type="submit">Sign in</button>
      {error && <p className="notice error">{error}</p>}
    </form>
  );
}

/** The menu: the pages the signed-in key may use (admin pages for org admin keys only). */
function Menu({ current }: { current: (typeof PAGES)[number] }) {
  const access = useAccess();
  return (
    <>
      {PAGES.filter((page) => !page.admin || access.admin).map((page) => (
        <a
          key={page.path}
          href={`/${page.path}${window.location.search}`}
          className={page === current ? 'active' : ''}
          onClick={(event) => {
            event.preventDefault();
            // Keep the time range and filters when moving between pages.
            navigate(`/${page.path}${window.location.search}`);
          }}
        >
          {page.title}
        </a>
      ))}
    </>
  );
}

function App() {
  const [signedIn, setSignedIn] = useState(() => session.key() !== null);
  const { path } = useLocation();
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const [first = 'overview', ...rest] = path.split('/').filter(Boolean);
  const current = PAGES.find((page) => page.path === first) ?? PAGES[0]!;
  const Page = current.page;
  return (
    <div className="app">
      <nav>
        <div className="brand">Tollgate</div>
        <OrgPicker />
        <Menu current={current} />
        <button
          className="sign-out"
          onClick={() => {
            session.signOut();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </nav>
      <main>
        <Suspense fallback={<Notice kind="loading">Loading the page…</Notice>}>
          <Page rest={rest.map(decodeURIComponent).join('/')} />
        </Suspense>
      </main>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
