import { describe, expect, it } from 'vitest';
import { SseParser, parseSseStream } from '../../../src/gateway/providers/sse-parser';
import type { SseEvent } from '../../../src/gateway/providers/sse-parser';

function parseAll(chunks: (string | Uint8Array)[]): SseEvent[] {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

const STREAM =
  ': a comment\r\n' +
  'event: message_start\r\n' +
  'data: {"a":1}\r\n' +
  '\r\n' +
  'data: first line\n' +
  'data:second line\n' +
  'id: 7\n' +
  'retry: 100\n' +
  '\n' +
  'event: ping\r' +
  'data: é ✓ 😀\r' +
  '\r' +
  'data\n' +
  '\n' +
  'data: [DONE]\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"a":1}', id: undefined },
  { event: undefined, data: 'first line\nsecond line', id: '7' },
  { event: 'ping', data: 'é ✓ 😀', id: '7' },
  { event: undefined, data: '', id: '7' },
  { event: undefined, data: '[DONE]', id: '7' },
];

describe('SSE parser', () => {
  it('reads CRLF, LF and CR line ends, multi-line data, comments, ids and empty data', () => {
    expect(parseAll([STREAM])).toEqual(EXPECTED);
  });

  it('gives the same events wherever the chunk boundaries fall, even inside a UTF-8 character', () => {
    const bytes = new TextEncoder().encode(STREAM);
    for (let split = 0; split <= bytes.length; split++) {
      expect(parseAll([bytes.slice(0, split), bytes.slice(split)])).toEqual(EXPECTED);
    }
    expect(parseAll(Array.from(bytes, (byte) => Uint8Array.of(byte)))).toEqual(EXPECTED);
  });

  it('does not take a CR at the end of a chunk and the LF starting the next for two line ends', () => {
    expect(parseAll(['data: a\r', '\ndata: b\r', '\n\r', '\n'])).toEqual([
      { event: undefined, data: 'a\nb', id: undefined },
    ]);
  });

  it('skips a byte-order mark at the start only', () => {
    expect(parseAll(['\uFEFFdata: x\n\n'])).toEqual([
      { event: undefined, data: 'x', id: undefined },
    ]);
  });

  it('drops an event the stream did not finish, and blocks with no data', async () => {
    async function* body() {
      yield 'event: lonely\n\n';
      yield 'data: complete\n\n';
      yield 'data: {"cut": ';
    }
    const events: SseEvent[] = [];
    for await (const event of parseSseStream(body())) events.push(event);
    expect(events).toEqual([{ event: undefined, data: 'complete', id: undefined }]);
  });
});
