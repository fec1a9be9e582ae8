/**
 * A value carried through async calls: `AsyncLocalStorage` where the runtime
 * has it (Node, Bun, Deno, workers with Node compatibility), found at run time
 * so that the SDK never imports a `node:` module and still loads anywhere
 * `fetch` exists. Without it, the value is carried only through synchronous
 * code and the first await (a plain stack), which is still right for code that
 * does not interleave runs.
 */
export interface AsyncContext<T> {
  get(): T | undefined;
  run<R>(value: T, fn: () => R): R;
}

interface AsyncLocalStorageLike<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

type AsyncLocalStorageClass = new <T>() => AsyncLocalStorageLike<T>;

function findAsyncLocalStorage(): AsyncLocalStorageClass | undefined {
  const runtime = globalThis as {
    AsyncLocalStorage?: AsyncLocalStorageClass;
    process?: { getBuiltinModule?: (id: string) => unknown };
  };
  if (typeof runtime.AsyncLocalStorage === 'function') return runtime.AsyncLocalStorage;
  try {
    const hooks = runtime.process?.getBuiltinModule?.('node:async_hooks') as
      { AsyncLocalStorage?: AsyncLocalStorageClass } | undefined;
    return hooks?.AsyncLocalStorage;
  } catch {
    return undefined;
  }
}

const AsyncLocalStorageImpl = findAsyncLocalStorage();

class StackContext<T> implements AsyncContext<T> {
  private current: T | undefined;

  get(): T | undefined {
    return this.current;
  }

  run<R>(value: T, fn: () => R): R {
    const previous = this.current;
    this.current = value;
    try {
      return fn();
    } finally {
      this.current = previous;
    }
  }
}

export function createAsyncContext<T>(): AsyncContext<T> {
  if (!AsyncLocalStorageImpl) return new StackContext<T>();
  const storage = new AsyncLocalStorageImpl<T>();
  return {
    get: () => storage.getStore(),
    run: (value, fn) => storage.run(value, fn),
  };
}

/** True when values follow async calls (AsyncLocalStorage was found). */
export const hasAsyncContext = AsyncLocalStorageImpl !== undefined;
