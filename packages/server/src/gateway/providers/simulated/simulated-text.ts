import type { SeededRandom } from './simulated-random';

/** Common English words that are one o200k token each, with or without a capital. */
const WORDS =
  `the system model request response gateway token cost latency cache route provider stream answer
data value result time first second each other more most many some this that with from into over under after
before while when where which would could should about also only just very well still even back down good great
small large simple clear fast quick ready open close start end plan test build check learn know think make take
give find tell keep show help call work move turn run write read send hold bring carry share point level state
place world team group part case week year day hour minute people service client server network signal pattern
method context window budget limit metric trace event record report detail summary example option feature update
change reason choice`.split(/\s+/);

/** Prose of exactly `words` words, in sentences of 6–14 words. */
export function simulatedProse(random: SeededRandom, words: number): string {
  const parts: string[] = [];
  let sentenceLength = 0;
  let sentenceTarget = random.integer(6, 14);
  for (let index = 0; index < words; index++) {
    const word = random.pick(WORDS);
    const capitalised = sentenceLength === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : word;
    sentenceLength++;
    const last = index === words - 1 || sentenceLength === sentenceTarget;
    parts.push(last ? `${capitalised}.` : capitalised);
    if (last) {
      sentenceLength = 0;
      sentenceTarget = random.integer(6, 14);
    }
  }
  return parts.join(' ');
}

/** A value that fits a JSON Schema well enough for demos: objects, arrays, enums and scalars. */
export function simulatedValue(random: SeededRandom, schema: unknown, depth = 0): unknown {
  const node = (typeof schema === 'object' && schema !== null ? schema : {}) as Record<
    string,
    unknown
  >;
  if (Array.isArray(node.enum) && node.enum.length > 0) return random.pick(node.enum);
  if ('const' in node) return node.const;
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case 'object': {
      const properties = (node.properties ?? {}) as Record<string, unknown>;
      const value: Record<string, unknown> = {};
      if (depth > 4) return value;
      for (const [name, property] of Object.entries(properties))
        value[name] = simulatedValue(random, property, depth + 1);
      return value;
    }
    case 'array':
      return depth > 4 ? [] : [simulatedValue(random, node.items, depth + 1)];
    case 'integer':
      return random.integer(1, 100);
    case 'number':
      return Math.round(random.next() * 10_000) / 100;
    case 'boolean':
      return random.next() < 0.5;
    case 'null':
      return null;
    default:
      return simulatedProse(random, random.integer(1, 3)).replace(/\.$/, '');
  }
}
