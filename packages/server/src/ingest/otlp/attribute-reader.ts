import type { Attributes, AttributeValue } from './otlp-attributes';

/**
 * Reads attributes by key and remembers which ones it used, so that what is
 * left (`remaining`) can go to the event's metadata without repeating the
 * fields it became.
 */
export class AttributeReader {
  private readonly used = new Set<string>();

  constructor(private readonly attributes: Attributes) {}

  has(key: string): boolean {
    return this.attributes.has(key);
  }

  /** The value of the first key present; every alias present is marked used. */
  value(...keys: string[]): AttributeValue | undefined {
    let found: AttributeValue | undefined;
    for (const key of keys) {
      const value = this.attributes.get(key);
      if (value === undefined) continue;
      this.used.add(key);
      found ??= value;
    }
    return found;
  }

  /** The first non-empty string among `keys`; every alias present is marked used. */
  string(...keys: string[]): string | undefined {
    return this.first(keys, (value) =>
      typeof value === 'string' && value !== '' ? value : undefined,
    );
  }

  /** The first non-negative integer (or its decimal text) among `keys`; aliases marked used. */
  count(...keys: string[]): number | undefined {
    return this.first(keys, (value) => {
      const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
      return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0
        ? number
        : undefined;
    });
  }

  /**
   * Attributes flattened under `prefix.` (`gen_ai.prompt.0.role`), marked
   * used, keyed by what follows the prefix (`0.role`).
   */
  flattened(prefix: string): Map<string, AttributeValue> {
    const entries = new Map<string, AttributeValue>();
    for (const [key, value] of this.attributes) {
      if (!key.startsWith(`${prefix}.`)) continue;
      this.used.add(key);
      entries.set(key.slice(prefix.length + 1), value);
    }
    return entries;
  }

  /** The attributes no read has used. */
  remaining(): Attributes {
    const rest: Attributes = new Map();
    for (const [key, value] of this.attributes) if (!this.used.has(key)) rest.set(key, value);
    return rest;
  }

  private first<T>(
    keys: string[],
    accept: (value: AttributeValue) => T | undefined,
  ): T | undefined {
    for (const key of keys) {
      const value = this.attributes.get(key);
      const accepted = value === undefined ? undefined : accept(value);
      if (accepted === undefined) continue;
      for (const alias of keys) if (this.attributes.has(alias)) this.used.add(alias);
      return accepted;
    }
    return undefined;
  }
}
