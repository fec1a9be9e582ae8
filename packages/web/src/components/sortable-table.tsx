import { useMemo, useState, type ReactNode } from 'react';

export interface Column<Row> {
  key: string;
  label: string;
  render?: (row: Row) => ReactNode;
  /** What the column sorts by; the raw field by default. */
  value?: (row: Row) => string | number;
  align?: 'right';
  /** False for a column of controls (edit, delete) that sorting means nothing for. */
  sortable?: boolean;
}

/**
 * The dashboard's one table: sorts by any column (click its header: descending
 * first, again for ascending) and pages by `pageSize`.
 */
export function SortableTable<Row>(props: {
  rows: readonly Row[];
  columns: Column<Row>[];
  pageSize?: number;
  onSelect?: (row: Row) => void;
  /** A stable key for each row (its id), so edits keep their row; the index by default. */
  rowKey?: (row: Row) => string;
  testId?: string;
}) {
  const pageSize = props.pageSize ?? 20;
  const [sort, setSort] = useState<{ key: string; descending: boolean } | undefined>();
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    const column = sort && props.columns.find((each) => each.key === sort.key);
    if (!sort || !column) return props.rows;
    const valueOf =
      column.value ?? ((row: Row) => (row as Record<string, string | number>)[column.key] ?? '');
    return [...props.rows].sort((a, b) => {
      const [x, y] = [valueOf(a), valueOf(b)];
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.descending ? -order : order;
    });
  }, [props.rows, props.columns, sort]);
  const pages = Math.max(1, Math.ceil(sorted.length / pageSize));
  // Fewer rows than before (a filter, a delete): stay on a page that exists.
  const current = Math.min(page, pages - 1);
  const shown = sorted.slice(current * pageSize, (current + 1) * pageSize);
  return (
    <div className="table" data-testid={props.testId}>
      <table>
        <thead>
          <tr>
            {props.columns.map((column) => {
              const sortable = column.sortable !== false;
              const sortedHere = sort?.key === column.key;
              return (
                <th
                  key={column.key}
                  className={column.align}
                  aria-sort={
                    sortedHere ? (sort.descending ? 'descending' : 'ascending') : undefined
                  }
                  onClick={
                    sortable
                      ? () =>
                          setSort({
                            key: column.key,
                            descending: sortedHere ? !sort.descending : true,
                          })
                      : undefined
                  }
                >
                  {column.label}
                  {sortedHere ? (sort.descending ? ' ▼' : ' ▲') : ''}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((row, index) => (
            <tr
              key={props.rowKey?.(row) ?? current * pageSize + index}
              className={props.onSelect ? 'clickable' : ''}
              onClick={() => props.onSelect?.(row)}
            >
              {props.columns.map((column) => (
                <td key={column.key} className={column.align}>
                  {column.render
                    ? column.render(row)
                    : String((row as Record<string, unknown>)[column.key] ?? '')}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {pages > 1 && (
        <div className="pager">
          <button disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous
          </button>
          <span>
            Page {current + 1} of {pages} ({sorted.length} rows)
          </span>
          <button disabled={current >= pages - 1} onClick={() => setPage(current + 1)}>
            Next
          </button>
        </div>
      )}
    </div>
  );
}

/** The former name of `SortableTable`, kept for the pages not yet moved to it. */
export const DataTable = SortableTable;
