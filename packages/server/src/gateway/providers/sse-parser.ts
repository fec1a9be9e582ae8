/**
 * A small Server-Sent Events parser (WHATWG HTML "event stream interpretation"):
 * lines end in `\r\n`, `\n` or `\r`; `data:` lines of one event join with `\n`;
 * `:` lines are comments; a blank line dispatches the event. Chunk boundaries
 * may fall anywhere, inside a line, between `\r` and `\n`, or inside a UTF-8
 * character. An event not terminated by a blank line when the body ends is
 * dropped, as the specification says: a cut stream never yields half an event.
 */
export interface SseEvent {
  /** The `event:` field; undefined means the default type ("message"). */
  event: string | undefined;
  data: string;
  id: string | undefined;
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buffer = '';
  private skipLineFeed = false;
  private atStart = true;
  private data = '';
  private hasData = false;
  private eventType: string | undefined;
  private lastEventId: string | undefined;

  /** Feeds bytes (or text) and returns the events they completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.atStart && text.length > 0) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.skipLineFeed && text.length > 0) {
      this.skipLineFeed = false;
      if (text.charCodeAt(0) === 10) text = text.slice(1);
    }
    this.buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    const buffer = this.buffer;
    for (let index = 0; index < buffer.length; index++) {
      const code = buffer.charCodeAt(index);
      if (code !== 10 && code !== 13) continue;
      const event = this.processLine(buffer.slice(start, index));
      if (event) events.push(event);
      if (code === 13) {
        if (index + 1 < buffer.length) {
          if (buffer.charCodeAt(index + 1) === 10) index++;
        } else {
          this.skipLineFeed = true;
        }
      }
      start = index + 1;
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return events;
  }

  private processLine(line: string): SseEvent | undefined {
    if (line.length === 0) return this.dispatch();
    if (line.charCodeAt(0) === 58 /* ':' */) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32 /* ' ' */) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data = this.hasData ? `${this.data}\n${value}` : value;
        this.hasData = true;
        break;
      case 'event':
        this.eventType = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      default:
        // `retry` and unknown fields are ignored.
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const event = this.hasData
      ? { event: this.eventType || undefined, data: this.data, id: this.lastEventId }
      : undefined;
    this.data = '';
    this.hasData = false;
    this.eventType = undefined;
    return event;
  }
}

/** Parses a body (bytes or text chunks) into its events. */
export async function* parseSseStream(
  body: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<SseEvent, void, undefined> {
  const parser = new SseParser();
  for await (const chunk of body) {
    for (const event of parser.push(chunk)) yield event;
  }
}
