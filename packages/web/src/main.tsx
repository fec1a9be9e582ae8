import { StrictMode, useState, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { getJson, session } from './api';
import { navigate, useLocation } from './url-state';
import { AlertsPage } from './pages/alerts';
import { BudgetsPage } from './pages/budgets';
import { CostsPage } from './pages/costs';
import { FallbacksPage } from './pages/fallbacks';
import { FlagsPage } from './pages/flags';
import { GuardrailsPage } from './pages/guardrails';
import { OverviewPage } from './pages/overview';
import { PromptsPage } from './pages/prompts';
import { ProvidersPage } from './pages/providers';
import { RequestsPage } from './pages/requests';
import { TracesPage } from './pages/traces';
import './styles.css';

/** The pages, in menu order; the server answers index.html for each path. */
const PAGES: { path: string; title: string; page: ComponentType<{ rest: string }> }[] = [
  { path: 'overview', title: 'Overview', page: OverviewPage },
  { path: 'costs', title: 'Costs', page: CostsPage },
  { path: 'traces', title: 'Traces', page: TracesPage },
  { path: 'requests', title: 'Requests', page: RequestsPage },
  { path: 'prompts', title: 'Prompts', page: PromptsPage },
  { path: 'providers', title: 'Providers', page: ProvidersPage },
  { path: 'budgets', title: 'Budgets & limits', page: BudgetsPage },
  { path: 'flags', title: 'Feature flags', page: FlagsPage },
  { path: 'guardrails', title: 'Guardrail log', page: GuardrailsPage },
  { path: 'fallbacks', title: 'AI fallbacks', page: FallbacksPage },
  { path: 'alerts', title: 'Alerts', page: AlertsPage },
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
          await getJson('/api/v1/metrics/summary', { groupBy: 'none' });
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
        {PAGES.map((page) => (
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
        <Page rest={rest.map(decodeURIComponent).join('/')} />
      </main>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
