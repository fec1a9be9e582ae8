import type { EventRow } from '@tollgate/core';
import { sealRowContent, type ContentKey } from '../secrets/content-keys';
import { redactCredentials, redactPii, redactPiiDeep } from './pii-redactor';

/** Whose content is stored, and how: its project's settings (from the caller's key). */
export interface ContentPolicy {
  /** False: the project stores no prompts or responses (default true). */
  contentStorage?: boolean;
  piiRedaction?: boolean;
  /** Set when the project encrypts stored content: its org's data key. */
  contentKey?: ContentKey;
}

/** A prompt or response as it may be stored for this tenant: PII redacted when its project asks. */
export function storedContent<Value>(tenant: ContentPolicy, value: Value): Value {
  if (value === undefined || value === null) return value;
  return tenant.piiRedaction ? redactPiiDeep(value) : value;
}

/**
 * The prompt and response columns of an event row (gateway calls, SDK, OTLP,
 * tool inputs and outputs) as the tenant's project stores them, in place:
 * emptied when it stores no content, PII redacted when it asks, and then,
 * with metadata values, sealed with the org's key when it encrypts content.
 * (A gateway call's prompt and response arrive already redacted.)
 */
export function applyContentPolicy(row: EventRow, tenant: ContentPolicy): void {
  if (tenant.contentStorage === false) {
    row.input = '';
    row.output = '';
  } else if (tenant.piiRedaction) {
    row.input = redactPii(row.input);
    row.output = redactPii(row.output);
  }
  if (tenant.contentKey) sealRowContent(row, tenant.contentKey);
}

/** Names whose values are credentials whatever they look like: `authorization`, `x-api-key`, `db.password`... */
const CREDENTIAL_NAME =
  /(authorization|api[-_.]?key|secret|password|passwd|cookie|credential|private[-_.]?key|(^|[-_.])(access|refresh|id|auth|bearer|session)?[-_.]?token$)/i;

/**
 * Metadata (span attributes, an SDK event's metadata) as it may be stored: a string under a
 * credential's name removed, credential-shaped strings replaced anywhere, and with `redactPii`
 * the same PII redaction as prompts.
 */
export function storedMetadata(
  metadata: Record<string, unknown>,
  redactPiiToo: boolean,
): Record<string, unknown> {
  return cleanValue(metadata, redactPiiToo) as Record<string, unknown>;
}

function cleanValue(value: unknown, redactPiiToo: boolean): unknown {
  if (typeof value === 'string') return storedText(value, redactPiiToo);
  if (Array.isArray(value)) return value.map((item) => cleanValue(item, redactPiiToo));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [
        name,
        typeof item === 'string' && CREDENTIAL_NAME.test(name)
          ? '[REDACTED]'
          : cleanValue(item, redactPiiToo),
      ]),
    );
  }
  return value;
}

/** Free text Tollgate stores besides prompts (error messages): credentials always removed, PII when asked. */
export function storedText(text: string, redactPiiToo: boolean): string {
  const withoutCredentials = redactCredentials(text);
  return redactPiiToo ? redactPii(withoutCredentials) : withoutCredentials;
}

/** A gateway call's error message (an upstream's words) as it may be stored for this tenant. */
export function storedErrorMessage(
  tenant: ContentPolicy,
  message: string | undefined,
): string | undefined {
  if (message === undefined) return undefined;
  return storedText(message, tenant.piiRedaction === true);
}
