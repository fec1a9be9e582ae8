import type { EventRow, EventTenant } from '@tollgate/core';
import type { EventWriter } from '../../ingest/event-writer';
import { redactPii, redactPiiDeep } from './pii-redactor';

export type RedactionPolicy = (tenant: EventTenant) => boolean;

const policies = new WeakMap<EventWriter, RedactionPolicy>();

/** Sets which tenants' recorded content is redacted (one policy per app's event writer). */
export function redactStoredContentWhen(writer: EventWriter, policy: RedactionPolicy): void {
  policies.set(writer, policy);
}

/** A prompt or response as it may be stored for this tenant: PII redacted when its project asks. */
export function storedContent<Value>(
  writer: EventWriter,
  tenant: EventTenant,
  value: Value,
): Value {
  if (value === undefined || value === null) return value;
  return policies.get(writer)?.(tenant) ? redactPiiDeep(value) : value;
}

/** Redacts the prompt and response columns of an ingested event row (SDK, OTLP) in place. */
export function redactEventRowContent(row: EventRow): void {
  row.input = redactPii(row.input);
  row.output = redactPii(row.output);
}
