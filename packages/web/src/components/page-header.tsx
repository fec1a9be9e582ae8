import type { ReactNode } from 'react';
import { RANGES, useParams, useTimeRange, type RangeName } from '../url-state';
import { useAccess } from '../use-api';

/** For org keys: all projects or one (`project_id` in the URL). A project key sees only its own. */
export function ProjectPicker() {
  const [params, setParams] = useParams();
  const access = useAccess();
  if (access.loading || access.projectId !== null || access.projects.length === 0) return null;
  return (
    <select
      aria-label="Project"
      value={params.get('project_id') ?? ''}
      onChange={(event) => setParams({ project_id: event.target.value })}
    >
      <option value="">All projects</option>
      {access.projects.map((project) => (
        <option key={project.id} value={project.id}>
          {project.name}
        </option>
      ))}
    </select>
  );
}

export function TimeRangePicker() {
  const [, setParams] = useParams();
  const range = useTimeRange();
  return (
    <div className="range" data-testid="time-range" data-from={range.from} data-to={range.to}>
      {(Object.keys(RANGES) as RangeName[]).map((name) => (
        <button
          key={name}
          className={name === range.name ? 'active' : ''}
          onClick={() => setParams({ range: name })}
        >
          {name}
        </button>
      ))}
    </div>
  );
}

/** Text filters bound to URL parameters (`name` → label). */
export function Filters({ fields }: { fields: Record<string, string> }) {
  const [params, setParams] = useParams();
  return (
    <form
      className="filters"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        setParams(
          Object.fromEntries(
            Object.keys(fields).map((name) => [name, String(data.get(name) ?? '')]),
          ),
        );
      }}
    >
      {Object.entries(fields).map(([name, label]) => (
        <label key={name}>
          {label}
          <input name={name} defaultValue={params.get(name) ?? ''} key={params.get(name) ?? ''} />
        </label>
      ))}
      <button type="submit">Apply</button>
    </form>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      <div className="tools">
        <ProjectPicker />
        {children}
      </div>
    </header>
  );
}
