import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle, type PgliteDatabase } from 'drizzle-orm/pglite';
import { makePrivateDirectory } from '../../private-directory';

export interface PgliteConnection {
  readonly client: PGlite;
  readonly database: PgliteDatabase;
}

export interface PgliteOpenOptions {
  /**
   * Postgres `shared_buffers` in MB (1–128). PGlite 0.3 starts its backend with
   * a fixed `-c shared_buffers=128MB` (it reads neither `postgresql.conf` nor
   * `ALTER SYSTEM` for it) and those 128 MB live in its WebAssembly memory,
   * which is resident and never shrinks. Below 128 the argument is rewritten in
   * a copy of PGlite's WebAssembly module before it is compiled; 128 runs the
   * stock module. Default 16: the meta store's working set is far smaller, and
   * a page not in the buffers is read from the operating system's file cache.
   */
  sharedBuffersMb?: number;
}

/** PGlite's built-in argument, NUL-terminated as it is in the module's data. */
const STOCK_SHARED_BUFFERS = Buffer.from('shared_buffers=128MB\0');
export const STOCK_SHARED_BUFFERS_MB = 128;
export const DEFAULT_SHARED_BUFFERS_MB = 16;

/** One compiled module per setting and process: tests and CLI commands open PGlite many times. */
const compiledModules = new Map<number, Promise<WebAssembly.Module>>();

/**
 * PGlite's module with `shared_buffers=<megabytes>MB` in place of the built-in
 * value. Fails (rather than silently running with 128 MB) if that exact
 * argument is not in the module once, e.g. after a PGlite upgrade.
 */
function moduleWithSharedBuffers(megabytes: number): Promise<WebAssembly.Module> {
  let compiled = compiledModules.get(megabytes);
  if (compiled === undefined) {
    compiled = (async () => {
      const require = createRequire(import.meta.url);
      const path = join(dirname(require.resolve('@electric-sql/pglite')), 'pglite.wasm');
      const bytes = await readFile(path);
      const at = bytes.indexOf(STOCK_SHARED_BUFFERS);
      if (at === -1 || bytes.indexOf(STOCK_SHARED_BUFFERS, at + 1) !== -1) {
        throw new Error(
          `cannot set the embedded meta store's shared_buffers: ${path} does not hold PGlite 0.3's built-in ` +
            `"shared_buffers=128MB" exactly once; set TOLLGATE_META_SHARED_BUFFERS_MB=${STOCK_SHARED_BUFFERS_MB} to run it unchanged`,
        );
      }
      // Same length: the new value, then NULs (the string ends at the first one).
      const replacement = Buffer.alloc(STOCK_SHARED_BUFFERS.length);
      replacement.write(`shared_buffers=${megabytes}MB`);
      replacement.copy(bytes, at);
      return WebAssembly.compile(bytes);
    })();
    compiled.catch(() => compiledModules.delete(megabytes));
    compiledModules.set(megabytes, compiled);
  }
  return compiled;
}

/**
 * Opens (creating if needed) the embedded Postgres in `directory`. One process
 * at a time may open a directory: PGlite is a single-connection database.
 */
export async function openPglite(
  directory: string,
  options: PgliteOpenOptions = {},
): Promise<PgliteConnection> {
  makePrivateDirectory(directory);
  const megabytes = options.sharedBuffersMb ?? DEFAULT_SHARED_BUFFERS_MB;
  if (!Number.isInteger(megabytes) || megabytes < 1 || megabytes > STOCK_SHARED_BUFFERS_MB) {
    throw new RangeError(`sharedBuffersMb must be an integer from 1 to 128, not ${megabytes}`);
  }
  const wasmModule =
    megabytes === STOCK_SHARED_BUFFERS_MB ? undefined : await moduleWithSharedBuffers(megabytes);
  const client = new PGlite(directory, wasmModule ? { wasmModule } : {});
  await client.waitReady;
  return { client, database: drizzle({ client }) };
}
