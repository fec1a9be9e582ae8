import type { HotStore } from '@tollgate/core';
import type { FastifyBaseLogger } from 'fastify';
import type { EventRowLine } from './event-rows';

export interface EventIdClaimsOptions {
  hot: HotStore;
  logger: FastifyBaseLogger;
  /** How long a stored event's id is remembered (a copy sent within it is not stored again). */
  windowMs: number;
  /**
   * How long a claim lives before its insert has committed or been spooled. A
   * process killed mid-insert leaves its claims behind for this long at most.
   */
  pendingMs: number;
}

export interface ClaimedRows {
  /** The rows to store: the first of each id that nobody had claimed, and rows without an id. */
  fresh: EventRowLine[];
  /** The keys this writer claimed (to confirm once stored or spooled, or give back). */
  keys: string[];
  /** Rows dropped as copies: of a row in the same batch, or of one claimed before. */
  duplicates: number;
}

/** The hot store key of an event id: per organization (tenants are walls: one org's ids never hide another's). */
function claimKey(line: EventRowLine): string {
  return eventIdClaimKey(line.orgId, line.eventId);
}

/** The hot store key of an org's event id (the gateway's journal replay gives back a dead process's claims). */
export function eventIdClaimKey(orgId: string, eventId: string): string {
  return `event-id:${orgId}:${eventId}`;
}

/**
 * Exactly once by `event_id`: before an insert, the writer claims its rows'
 * ids in the hot store (one round trip: SET NX for each id, in memory or in
 * Redis, so replicas sharing Redis share the claims). A row whose id is
 * already claimed is a copy (a batch re-sent after a lost answer, or sent to
 * two replicas at once) and is answered as accepted without being stored
 * again. Claims start short (`pendingMs`) and are confirmed for the whole
 * window once their rows are stored or spooled; a failed insert gives them
 * back, so the client's retry is stored.
 *
 * When the hot store cannot be reached the rows are stored without claims
 * (at least once): recording never stops because Redis did.
 */
export class EventIdClaims {
  constructor(private readonly options: EventIdClaimsOptions) {}

  async claim(lines: readonly EventRowLine[]): Promise<ClaimedRows> {
    const firstOfKey = new Map<string, EventRowLine>();
    for (const line of lines) {
      if (!line.eventId || !line.orgId) continue;
      const key = claimKey(line);
      if (!firstOfKey.has(key)) firstOfKey.set(key, line);
    }
    const keys = [...firstOfKey.keys()];
    let claimed: boolean[];
    try {
      claimed = await this.options.hot.claimKeys(keys, this.options.pendingMs);
    } catch (error) {
      this.options.logger.warn(
        { err: error, rows: lines.length },
        'hot store unreachable: storing events without de-duplication by event_id',
      );
      return { fresh: [...lines], keys: [], duplicates: 0 };
    }
    const freshKeys = keys.filter((_, index) => claimed[index]);
    const fresh = new Set(freshKeys.map((key) => firstOfKey.get(key)!));
    const kept = lines.filter((line) => fresh.has(line) || !line.eventId || !line.orgId);
    return { fresh: kept, keys: freshKeys, duplicates: lines.length - kept.length };
  }

  /** The claimed rows are stored (or durably spooled): remember their ids for the whole window. */
  async confirm(keys: readonly string[]): Promise<void> {
    await this.quietly('confirm', () => this.options.hot.extendKeys(keys, this.options.windowMs));
  }

  /** The claimed rows were not stored: give their ids back so a retry is stored. */
  async release(keys: readonly string[]): Promise<void> {
    await this.quietly('release', () => this.options.hot.deleteKeys(keys));
  }

  private async quietly(action: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.options.logger.warn({ err: error }, `could not ${action} event id claims`);
    }
  }
}
