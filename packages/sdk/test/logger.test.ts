import { describe, expect, it } from 'vitest';
import { createLogger, type EventInput } from '../src';
import { fakeTollgate } from './fake-tollgate';

function capture() {
  const lines: string[] = [];
  return {
    lines,
    write: (line: string) => void lines.push(line),
    json: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with the client, the operation and the request id carried through awaits', async () => {
    const out = capture();
    const logger = createLogger({
      clientId: 'acme',
      operation: 'checkout',
      write: out.write,
      env: 'production',
    });
    await logger.withRequestId('req-1', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info('charged', { amount: 12 });
      logger.child({ component: 'billing' }).warn('slow', new Error('timeout'));
    });
    logger.info('outside');
    const [charged, slow, outside] = out.json();
    expect(charged).toMatchObject({
      level: 'info',
      msg: 'charged',
      clientId: 'acme',
      operation: 'checkout',
      requestId: 'req-1',
      amount: 12,
    });
    expect(typeof charged!.time).toBe('string');
    expect(slow).toMatchObject({
      level: 'warn',
      component: 'billing',
      requestId: 'req-1',
      err: { type: 'Error', message: 'timeout' },
    });
    expect(outside!.requestId).toBeUndefined();
  });

  it('drops lines below its level and generates a request id when given none', () => {
    const out = capture();
    const logger = createLogger({ level: 'warn', write: out.write, env: 'test' });
    logger.info('hidden');
    logger.debug('hidden');
    logger.error('shown');
    expect(logger.isLevelEnabled('info')).toBe(false);
    const id = logger.withRequestId(undefined, () => logger.requestId());
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.json().map((line) => line.msg)).toEqual(['shown']);
  });

  it('writes pretty lines in development', () => {
    const out = capture();
    const logger = createLogger({ env: 'development', write: out.write });
    logger.withRequestId('req-9', () => logger.info('hello world', { user: 'ada lovelace' }));
    expect(out.lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello world {2}user="ada lovelace" requestId=req-9$/,
    );
  });

  it('aiOperation logs and records an event with the cost the app reports', () => {
    const out = capture();
    const tollgate = fakeTollgate();
    const logger = createLogger({
      clientId: 'acme',
      operation: 'support-reply',
      write: out.write,
      tollgate,
      env: 'test',
    });
    logger.withRequestId('req-2', () =>
      logger.aiOperation('chat', {
        model: 'gpt-4o-mini',
        cost: 0.0021,
        duration: 830,
        success: true,
        inputTokens: 100,
        outputTokens: 50,
      }),
    );
    logger.aiOperation('embedding', {
      model: 'text-embedding-3-small',
      success: false,
      error: new Error('quota'),
    });
    expect(out.json()).toMatchObject([
      {
        level: 'info',
        msg: 'ai operation chat',
        model: 'gpt-4o-mini',
        costUsd: 0.0021,
        durationMs: 830,
        requestId: 'req-2',
      },
      { level: 'warn', msg: 'ai operation embedding', success: false },
    ]);
    const [chat, embedding] = tollgate.events as (EventInput & Record<string, unknown>)[];
    expect(chat).toMatchObject({
      event_type: 'prompt_call',
      operation: 'chat',
      name: 'support-reply',
      model: 'gpt-4o-mini',
      cost_usd: 0.0021,
      latency_ms: 830,
      input_tokens: 100,
      user_id: 'acme',
      request_id: 'req-2',
      status: 'success',
    });
    expect(embedding).toMatchObject({
      operation: 'embedding',
      status: 'error',
      error_message: 'quota',
    });
  });

  it('never throws on fields it cannot serialize', () => {
    const out = capture();
    const logger = createLogger({ write: out.write, env: 'test' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => logger.info('cyclic', { cyclic, big: 10n })).not.toThrow();
    expect(out.json()[0]).toMatchObject({
      msg: 'cyclic',
      logError: 'fields could not be serialized',
    });
  });
});
