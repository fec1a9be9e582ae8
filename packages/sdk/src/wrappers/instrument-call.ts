import { getDefaultTollgate, type Tollgate } from '../exporter/create-tollgate';
import { elapsedMs, monotonicNow } from '../runtime/background-clock';
import { currentLinks } from '../tracking/event-context';
import { messageOfError, statusOfError } from '../tracking/error-status';
import { promptCallEvent, type PromptCallFacts } from '../tracking/prompt-call-event';
import type { TokenCounts } from '../tracking/usage';
import { gatewayRecorded, withGatewayLinks } from './gateway-links';

/** What a finished call (or stream) says about itself. */
export interface CallFacts {
  model?: string;
  counts?: TokenCounts;
  output?: unknown;
  metadata?: Record<string, unknown>;
}

/** Gathers a stream's facts chunk by chunk. */
export interface StreamCollector<Chunk> {
  add(chunk: Chunk): void;
  facts(): CallFacts;
}

/** One instrumented method: how to describe a call and read its result. */
export interface CallReader<Params, Result, Chunk> {
  provider: string;
  /** The method, e.g. `chat.completions.create`. */
  name: string;
  operation: 'chat' | 'completion' | 'embedding';
  modelOf(params: Params): string | undefined;
  isStream(params: Params): boolean;
  inputOf(params: Params): unknown;
  fromResult(result: Result, params: Params): CallFacts;
  collector(params: Params): StreamCollector<Chunk>;
}

export interface WrapOptions {
  /** Default: the default instance (the last `createTollgate()`). */
  tollgate?: Tollgate;
  /** Record prompts and responses; default the instance's `captureContent`. */
  captureContent?: boolean;
  /** Recorded as the event's `provider`; default the client's (`openai`, `anthropic`). */
  provider?: string;
}

/** Marks a client as wrapped, so wrapping twice records once. */
export const wrappedMark: unique symbol = Symbol.for('tollgate.sdk.wrapped');

type AnyMethod = (this: unknown, ...args: unknown[]) => unknown;

/** Replaces `resource[method]` (on the instance) with an instrumented one. */
export function instrumentMethod<Params, Result, Chunk>(
  resource: unknown,
  method: string,
  reader: CallReader<Params, Result, Chunk>,
  options: WrapOptions,
): void {
  if (typeof resource !== 'object' || resource === null) return;
  const target = resource as Record<string, unknown>;
  const original = target[method];
  if (typeof original !== 'function') return;
  target[method] = function instrumented(this: unknown, ...args: unknown[]): unknown {
    return instrumentCall(original as AnyMethod, this ?? resource, args, reader, options);
  };
}

interface APIPromiseLike {
  _thenUnwrap(transform: (value: unknown) => unknown): PromiseLike<unknown>;
}

function isAPIPromise(value: unknown): value is APIPromiseLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { _thenUnwrap?: unknown })._thenUnwrap === 'function' &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function instrumentCall<Params, Result, Chunk>(
  original: AnyMethod,
  thisArg: unknown,
  args: unknown[],
  reader: CallReader<Params, Result, Chunk>,
  options: WrapOptions,
): unknown {
  const tollgate = options.tollgate ?? getDefaultTollgate();
  if (!tollgate) return original.apply(thisArg, args);
  const params = args[0] as Params;
  const call = new CallRecorder(tollgate, reader, params, options);

  let pending: unknown;
  try {
    pending = original.apply(thisArg, withGatewayLinks(args, call.links));
  } catch (error) {
    call.failed(error);
    throw error;
  }
  const onResult = (result: unknown, props?: { response?: { headers?: unknown } }): unknown => {
    try {
      // Proxied by a Tollgate gateway: the gateway records the call, in this run (see gateway-links).
      if (gatewayRecorded(props?.response?.headers)) call.proxied = true;
      if (call.stream && isObservableStream(result)) {
        observeStream(result, call);
      } else {
        call.succeeded(reader.fromResult(result as Result, params));
      }
    } catch {
      // Reading the result must never change it.
    }
    return result;
  };
  if (isAPIPromise(pending)) {
    // Keeps the client's own promise type (`withResponse()`, `asResponse()`), parsed once.
    const observed = pending._thenUnwrap(onResult);
    observed.then(undefined, (error: unknown) => call.failed(error));
    return observed;
  }
  if (typeof (pending as PromiseLike<unknown> | undefined)?.then === 'function') {
    return (pending as PromiseLike<unknown>).then(onResult, (error: unknown) => {
      call.failed(error);
      throw error;
    });
  }
  return onResult(pending);
}

/** Records one call's event, exactly once. */
class CallRecorder<Params, Result, Chunk> {
  readonly stream: boolean;
  private readonly startedAt = Date.now();
  private readonly started = monotonicNow();
  readonly links = currentLinks();
  /** True once the answer says a Tollgate gateway recorded the call: this wrapper then records nothing. */
  proxied = false;
  private readonly capture: boolean;
  private recorded = false;
  ttftMs: number | undefined;

  constructor(
    private readonly tollgate: Tollgate,
    readonly reader: CallReader<Params, Result, Chunk>,
    readonly params: Params,
    private readonly options: WrapOptions,
  ) {
    this.stream = safely(() => reader.isStream(params)) ?? false;
    this.capture = options.captureContent ?? tollgate.captureContent;
  }

  firstChunk(): void {
    this.ttftMs ??= elapsedMs(this.started);
  }

  succeeded(facts: CallFacts, errorMessage?: string): void {
    this.record('success', facts, errorMessage);
  }

  failed(error: unknown, facts: CallFacts = {}): void {
    if (gatewayRecorded((error as { headers?: unknown } | undefined)?.headers)) this.proxied = true;
    this.record(statusOfError(error), facts, messageOfError(error));
  }

  private record(status: PromptCallFacts['status'], facts: CallFacts, errorMessage?: string) {
    if (this.recorded) return;
    this.recorded = true;
    if (this.proxied) return;
    try {
      const modelRequested = this.reader.modelOf(this.params);
      const event = promptCallEvent(
        {
          startedAt: this.startedAt,
          status,
          latencyMs: elapsedMs(this.started),
          operation: this.reader.operation,
          name: this.reader.name,
          provider: this.options.provider ?? this.reader.provider,
          model: facts.model ?? modelRequested,
          modelRequested,
          counts: facts.counts,
          ttftMs: this.ttftMs,
          input: this.capture ? this.reader.inputOf(this.params) : undefined,
          output: this.capture ? facts.output : undefined,
          errorMessage,
          metadata: facts.metadata,
        },
        this.links,
      );
      this.tollgate.record(event);
    } catch {
      // Recording must never reach the app.
    }
  }
}

interface ObservableStream {
  iterator?: (...args: unknown[]) => AsyncIterator<unknown>;
  [Symbol.asyncIterator]?: (...args: unknown[]) => AsyncIterator<unknown>;
}

function isObservableStream(value: unknown): value is ObservableStream {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ObservableStream)[Symbol.asyncIterator] === 'function'
  );
}

/**
 * Watches the stream's chunks as the app reads them, on the client's own
 * stream object (so `tee()`, `toReadableStream()` and `controller` still
 * work): each chunk is handed on as soon as it arrives, unchanged.
 */
function observeStream<Chunk>(
  stream: ObservableStream,
  call: CallRecorder<unknown, unknown, Chunk>,
): void {
  const collector = call.reader.collector(call.params);
  const wrap = (original: (...args: unknown[]) => AsyncIterator<unknown>) =>
    function (this: unknown, ...args: unknown[]): AsyncIterator<unknown> {
      return observeChunks(original.apply(this, args) as AsyncIterator<Chunk>, collector, call);
    };
  if (typeof stream.iterator === 'function') {
    // The OpenAI and Anthropic streams iterate (and tee) through `iterator()`.
    stream.iterator = wrap(stream.iterator);
    return;
  }
  const original = stream[Symbol.asyncIterator]!;
  Object.defineProperty(stream, Symbol.asyncIterator, {
    value: wrap(original),
    configurable: true,
    writable: true,
  });
}

async function* observeChunks<Chunk>(
  source: AsyncIterator<Chunk>,
  collector: StreamCollector<Chunk>,
  call: CallRecorder<unknown, unknown, Chunk>,
): AsyncGenerator<Chunk> {
  let failure: unknown;
  let finished = false;
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) {
        finished = true;
        return;
      }
      call.firstChunk();
      try {
        collector.add(next.value);
      } catch {
        // A chunk we cannot read is still the app's.
      }
      yield next.value;
    }
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    if (!finished && failure === undefined) await source.return?.();
    const facts = safely(() => collector.facts()) ?? {};
    if (failure !== undefined) call.failed(failure, facts);
    else if (finished) call.succeeded(facts);
    else call.succeeded(facts, 'the app stopped reading the stream before its end');
  }
}

function safely<R>(read: () => R): R | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
