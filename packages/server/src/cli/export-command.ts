import { join } from 'node:path';
import type { EventRow } from '@tollgate/core';
import { presentEvent } from '../api/present-event';
import type { Configuration } from '../config';
import { ContentKeyring } from '../secrets/content-keys';
import { loadSecretKey } from '../secrets/secret-box';
import { closeStores, openStores, type Stores } from '../stores/open-stores';
import { parseInstant } from './report-command';
import { callServer, runningServer, type RemoteOptions } from './running-server';

export interface ExportEventsOptions extends RemoteOptions {
  from: string;
  to: string;
  /** The org to export; through a server, the admin key's own org by default; directly, every org. */
  org?: string;
  project?: string;
}

const PAGE = 1000;

/**
 * `tollgate export events --from F --to T [--org ID] [--project P]`: every
 * event of the range as NDJSON on stdout, as the API presents it, with the
 * content of encrypting projects opened (the server's keys, or the master key
 * of this configuration when the CLI opens the stores itself).
 */
export async function exportEventsCommand(
  configuration: Configuration,
  options: ExportEventsOptions,
): Promise<void> {
  const range = { from: parseInstant('from', options.from), to: parseInstant('to', options.to) };
  if (range.from >= range.to) throw new Error('--from must be before --to');
  const write = (event: Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify(event)}\n`);
  const server = runningServer(configuration.dataDir, options);
  if (server) {
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({
        from: new Date(range.from).toISOString(),
        to: new Date(range.to).toISOString(),
        limit: String(PAGE),
        ...(options.org ? { org_id: options.org } : {}),
        ...(options.project ? { project_id: options.project } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const response = await callServer(server, 'GET', `/api/v1/events?${query}`);
      const page = (await response.json()) as {
        events: Record<string, unknown>[];
        next_cursor: string | null;
      };
      page.events.forEach(write);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    return;
  }
  const stores = await openStores(configuration, { migrate: false });
  try {
    const master = loadSecretKey(
      configuration.secretKey,
      join(configuration.dataDir, 'secret.key'),
    );
    const keyring = new ContentKeyring({ store: stores.meta, master: master.key });
    await keyring.checkMasterKey();
    const orgIds = options.org
      ? [options.org]
      : (await stores.meta.listOrganizations()).map((org) => org.id);
    for (const orgId of orgIds) {
      for await (const events of pages(stores, orgId, options.project, range)) {
        await keyring.openRows(orgId, events);
        events.map(presentEvent).forEach(write);
      }
    }
  } finally {
    await closeStores(stores);
  }
}

async function* pages(
  stores: Stores,
  orgId: string,
  projectId: string | undefined,
  range: { from: number; to: number },
): AsyncGenerator<EventRow[]> {
  let cursor: string | undefined;
  do {
    const page = await stores.events.listEvents(
      { orgId, projectId },
      { ...range, limit: PAGE, cursor },
    );
    yield page.events;
    cursor = page.nextCursor;
  } while (cursor);
}
