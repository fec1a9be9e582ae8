/**
 * The SDK logger's error reporting: `createLogger({ sentry: { dsn } })`
 * pointed at a loopback endpoint speaking Sentry's envelope protocol. Error
 * and fatal lines arrive with the request id, client id, operation,
 * environment and release; info lines, the line's other fields and keys in
 * messages never do.
 */
import { createLogger } from '@tollgate/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSentryReceiver, type SentryReceiver } from '../helpers/sentry-receiver';

const PROMPT = 'PROMPT-TEXT-app-side-9c2e';
const KEY = 'tg_0123456789abcdef0123456789abcdef';

let receiver: SentryReceiver;

beforeAll(async () => {
  receiver = await startSentryReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

describe('createLogger with sentry', () => {
  it('reports error and fatal lines with the request id, client id and operation, and nothing else', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      clientId: 'acme',
      operation: 'support-reply',
      write: (line) => lines.push(line),
      sentry: { dsn: receiver.dsn, environment: 'app-staging', release: 'my-app@1.2.3' },
    });
    await logger.withRequestId('app-req-1', async () => {
      logger.info('drafting', { prompt: PROMPT });
      logger.error(`could not draft with key ${KEY}`, {
        err: new RangeError(`model refused (key ${KEY})`),
        prompt: PROMPT,
      });
      logger.fatal('queue lost', { response: PROMPT });
    });
    expect(await logger.flush(5000)).toBe(true);
    await receiver.waitFor((events) => events.length >= 2);
    expect(receiver.events).toHaveLength(2);
    const [error, fatal] = receiver.events;
    expect(error!.tags).toMatchObject({
      request_id: 'app-req-1',
      client_id: 'acme',
      operation: 'support-reply',
    });
    expect(error!.level).toBe('error');
    expect(error!.environment).toBe('app-staging');
    expect(error!.release).toBe('my-app@1.2.3');
    expect(error!.exception?.values?.at(-1)).toMatchObject({
      type: 'RangeError',
      value: 'model refused (key [api_key])',
    });
    expect(fatal!.level).toBe('fatal');
    expect(fatal!.tags?.request_id).toBe('app-req-1');
    // The lines themselves are written as always.
    expect(lines).toHaveLength(3);
    const everything = receiver.rawBodies.join('\n');
    expect(everything).not.toContain(PROMPT);
    expect(everything).not.toContain(KEY);
  });

  it('logs without reporting when no DSN is given', async () => {
    const before = receiver.rawBodies.length;
    const logger = createLogger({ write: () => {} });
    logger.error('nothing to report to', new Error('x'));
    expect(await logger.flush()).toBe(true);
    expect(receiver.rawBodies.length).toBe(before);
  });
});
