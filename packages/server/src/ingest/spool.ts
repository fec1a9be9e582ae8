import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EventBatch } from '@tollgate/core';
import { makePrivateDirectory, PRIVATE_FILE_MODE } from '../stores/private-directory';

/**
 * An append-only file of event batches the store could not take. Each record
 * is a header line `{"id":…,"rowCount":…,"bytes":…}` followed by the rows.
 * A batch is acknowledged only after its record is fsynced, so a torn record
 * at the end (a crash mid-append) was never acknowledged and is dropped.
 */
export class Spool {
  private handle: FileHandle | undefined;
  private size = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    readonly maxBytes: number,
  ) {}

  async open(): Promise<void> {
    makePrivateDirectory(dirname(this.path));
    this.handle = await open(this.path, 'a+', PRIVATE_FILE_MODE);
    await this.handle.chmod(PRIVATE_FILE_MODE);
    const batches = await this.readAll();
    this.size = batches.validBytes;
    const { size } = await this.handle.stat();
    if (size > batches.validBytes) await this.handle.truncate(batches.validBytes);
  }

  get bytes(): number {
    return this.size;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Whether a batch of this many bytes would still fit. */
  fits(batchBytes: number): boolean {
    return this.size + batchBytes + 128 <= this.maxBytes;
  }

  /** Appends and fsyncs one batch; resolves once it is durable. */
  append(batch: EventBatch): Promise<void> {
    return this.serialize(async () => {
      const handle = this.requireHandle();
      const header = Buffer.from(
        `${JSON.stringify({ id: batch.id, rowCount: batch.rowCount, bytes: batch.rows.length })}\n`,
      );
      await handle.write(Buffer.concat([header, batch.rows]));
      await handle.datasync();
      this.size += header.length + batch.rows.length;
    });
  }

  /**
   * Hands every spooled batch, in order, to `insert`; when all went in,
   * empties the file. Batches appended meanwhile are replayed in the same pass.
   * Stops at the first failure, leaving the file as it was.
   */
  replay(insert: (batch: EventBatch) => Promise<void>): Promise<number> {
    return this.serialize(async () => {
      const { batches } = await this.readAll();
      for (const batch of batches) await insert(batch);
      await this.requireHandle().truncate(0);
      this.size = 0;
      return batches.length;
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.handle?.close();
    this.handle = undefined;
  }

  private async readAll(): Promise<{ batches: EventBatch[]; validBytes: number }> {
    const handle = this.requireHandle();
    const { size } = await handle.stat();
    const content = Buffer.alloc(size);
    if (size > 0) await handle.read(content, 0, size, 0);
    const batches: EventBatch[] = [];
    let offset = 0;
    while (offset < content.length) {
      const newline = content.indexOf(10, offset);
      if (newline < 0) break;
      let header: { id: string; rowCount: number; bytes: number };
      try {
        header = JSON.parse(content.subarray(offset, newline).toString('utf8')) as typeof header;
      } catch {
        break;
      }
      const end = newline + 1 + header.bytes;
      if (end > content.length) break;
      batches.push({
        id: header.id,
        rowCount: header.rowCount,
        rows: content.subarray(newline + 1, end),
      });
      offset = end;
    }
    return { batches, validBytes: offset };
  }

  private requireHandle(): FileHandle {
    if (!this.handle) throw new Error('spool is not open');
    return this.handle;
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
