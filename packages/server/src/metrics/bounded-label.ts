/** The value every label value past the limit is reported as. */
export const OVERFLOW_LABEL_VALUE = 'other';

/**
 * Keeps a label's distinct values bounded. Models, deployments and scopes are
 * bounded by configuration, but a client may name any `simulated/<name>`
 * model: past `limit` distinct values, new ones are reported as `other`, so a
 * client can never grow the exporter without bound.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = 200) {}

  valueOf(value: string | undefined): string {
    const given = value === undefined || value === '' ? 'none' : value;
    if (this.seen.has(given)) return given;
    if (this.seen.size >= this.limit) return OVERFLOW_LABEL_VALUE;
    this.seen.add(given);
    return given;
  }
}
