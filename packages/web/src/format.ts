/** How the dashboard shows numbers to people. */

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
/** Under a cent: four significant digits in plain decimals ($0.00000008), never 8.000e-8. */
const belowCent = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  maximumSignificantDigits: 4,
  maximumFractionDigits: 20,
});

/**
 * Dollars; amounts under a cent keep four significant digits so they do not
 * read as $0.00. A decimal string (the API's exact money) is formatted as the
 * decimal it is, not through a float.
 */
export function formatUsd(value: string | number | null | undefined): string {
  const amount = Number(value ?? 0);
  const exact = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? value : amount;
  const format = amount !== 0 && Math.abs(amount) < 0.01 ? belowCent : usd;
  return format.format(exact as number);
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US');

/** Token and request counts: exact below ten thousand, then 12.3K, 4.5M. */
export function formatCount(value: number | null | undefined): string {
  const count = value ?? 0;
  return Math.abs(count) < 10_000 ? whole.format(count) : compact.format(count);
}

export function formatDuration(milliseconds: number | null | undefined): string {
  const ms = milliseconds ?? 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${Math.round((ms % 60_000) / 1000)}s`;
}

export function formatPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined ? '–' : `${(ratio * 100).toFixed(1)}%`;
}

export function formatTime(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined || iso === '') return '–';
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}

export function formatHour(iso: string | number): string {
  return new Date(iso).toLocaleString('en-GB', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}
