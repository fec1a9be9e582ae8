import { describe, expect, it } from 'vitest';
import { currentRun, run, step, toolCall, trackAIOperation, type EventInput } from '../src';
import { fakeTollgate } from './fake-tollgate';

type Recorded = EventInput & Record<string, unknown>;

describe('run, step and toolCall', () => {
  it('record agent steps numbered in start order, with parent links through awaits', async () => {
    const tollgate = fakeTollgate();
    const answer = await run(
      'research',
      async (root) => {
        const plan = await step('plan', async () => 'search then write', { type: 'llm', tollgate });
        const found = await step(
          'search',
          async (current) => {
            const hits = await toolCall(
              'web_search',
              { query: 'tollgate' },
              async (input) => [`${input.query} docs`],
              { tollgate },
            );
            await trackAIOperation(
              async () => ({ usage: { prompt_tokens: 3, completion_tokens: 2 } }),
              { model: 'gpt-4o-mini', tollgate },
            );
            return { hits, stepId: current.eventId, stepNumber: current.stepNumber };
          },
          { type: 'tool', tollgate },
        );
        return { plan, found, root };
      },
      { tollgate, userId: 'customer-1', input: 'what is tollgate?' },
    );
    const events = tollgate.events as Recorded[];
    const byName = (name: string) => events.find((event) => event.name === name)!;
    const runId = answer.root.runId;
    expect(byName('research')).toMatchObject({
      event_type: 'agent_step',
      event_id: runId,
      run_id: runId,
      step_number: 0,
      step_type: 'run',
      status: 'success',
      user_id: 'customer-1',
    });
    expect(byName('research').parent_id).toBeUndefined();
    expect(byName('plan')).toMatchObject({
      step_number: 1,
      step_type: 'llm',
      parent_id: runId,
      run_id: runId,
      output: 'search then write',
      user_id: 'customer-1',
    });
    expect(byName('search')).toMatchObject({
      step_number: 2,
      parent_id: runId,
      event_id: answer.found.stepId,
    });
    expect(byName('web_search')).toMatchObject({
      event_type: 'tool_call',
      tool_name: 'web_search',
      parent_id: answer.found.stepId,
      run_id: runId,
      input: { query: 'tollgate' },
      output: ['tollgate docs'],
    });
    const call = events.find((event) => event.event_type === 'prompt_call')!;
    expect(call).toMatchObject({
      parent_id: answer.found.stepId,
      run_id: runId,
      input_tokens: 3,
      output_tokens: 2,
      user_id: 'customer-1',
    });
    expect(answer.found.stepNumber).toBe(2);
    expect(
      events.every((event) => typeof event.latency_ms === 'number' && typeof event.ts === 'number'),
    ).toBe(true);
  });

  it('keeps concurrent runs apart', async () => {
    const tollgate = fakeTollgate();
    const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const one = (name: string, wait: number) =>
      run(
        name,
        async () => {
          await delay(wait);
          await step(`${name}-a`, () => delay(wait), { tollgate });
          await step(`${name}-b`, () => undefined, { tollgate });
          return currentRun()!.runId;
        },
        { tollgate },
      );
    const [first, second] = await Promise.all([one('first', 20), one('second', 5)]);
    const steps = (tollgate.events as Recorded[]).filter((event) => event.step_number !== 0);
    for (const event of steps) {
      const expectedRun = String(event.name).startsWith('first') ? first : second;
      expect(event.run_id).toBe(expectedRun);
      expect(event.step_number).toBe(String(event.name).endsWith('-a') ? 1 : 2);
    }
    expect(currentRun()).toBeUndefined();
  });

  it('rethrows a failing step unchanged and records it as an error', async () => {
    const tollgate = fakeTollgate();
    const failure = new Error('tool broke');
    await expect(
      run('failing', () => toolCall('explode', 1, () => Promise.reject(failure), { tollgate }), {
        tollgate,
      }),
    ).rejects.toBe(failure);
    const events = tollgate.events as Recorded[];
    expect(events.map((event) => [event.name, event.status, event.error_message])).toEqual([
      ['explode', 'error', 'tool broke'],
      ['failing', 'error', 'tool broke'],
    ]);
  });

  it('starts a run for a step made outside one, and records no content when told not to', async () => {
    const tollgate = fakeTollgate({ captureContent: false });
    await step('alone', () => 'secret', { input: 'private', tollgate });
    const events = tollgate.events as Recorded[];
    expect(events.map((event) => [event.name, event.step_number])).toEqual([
      ['alone', 1],
      ['alone', 0],
    ]);
    expect(events.some((event) => 'input' in event || 'output' in event)).toBe(false);
  });
});
