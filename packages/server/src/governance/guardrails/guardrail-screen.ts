import type { GuardrailAction, GuardrailReference, MetaStore } from '@tollgate/core';
import { localCache } from '../../stores/hot/local-cache';
import { cosineSimilarity, shingleSignature, type ShingleSignature } from './shingle-similarity';

/** One reference a prompt came close enough to. */
export interface GuardrailMatch {
  reference: GuardrailReference;
  /** Cosine similarity in [0, 1], rounded to 4 decimals. */
  score: number;
  action: GuardrailAction;
}

interface CompiledReference {
  reference: GuardrailReference;
  signature: ShingleSignature;
}

/** How long a project's references are reused before the meta store is asked again. */
const REFERENCE_CACHE_MS = 5_000;

/**
 * Compares gateway prompts with each project's flagged reference prompts. The
 * references' signatures are computed once per load and kept per project, so
 * a check costs one signature of the prompt plus one sparse dot product per
 * reference.
 */
export class GuardrailScreen {
  private readonly cached = localCache<string, CompiledReference[]>({
    max: 10_000,
    ttlMs: REFERENCE_CACHE_MS,
  });

  constructor(private readonly meta: MetaStore) {}

  /** The references the prompt matches (score at or above their threshold), best first. */
  async screen(orgId: string, projectId: string, prompt: string): Promise<GuardrailMatch[]> {
    const references = await this.referencesOf(orgId, projectId);
    if (references.length === 0 || prompt.length === 0) return [];
    const signature = shingleSignature(prompt);
    const matches: GuardrailMatch[] = [];
    for (const compiled of references) {
      const score = cosineSimilarity(signature, compiled.signature);
      if (score >= compiled.reference.threshold) {
        matches.push({
          reference: compiled.reference,
          score: Math.round(score * 10_000) / 10_000,
          action: compiled.reference.action,
        });
      }
    }
    return matches.sort((left, right) => right.score - left.score);
  }

  /** Forgets the project's references after a change, so this process applies it on the next call. */
  invalidate(projectId: string): void {
    this.cached.delete(projectId);
  }

  private async referencesOf(orgId: string, projectId: string): Promise<CompiledReference[]> {
    const cached = this.cached.get(projectId);
    if (cached) return cached;
    const references = (await this.meta.listGuardrailReferences(orgId, projectId)).map(
      (reference) => ({ reference, signature: shingleSignature(reference.text) }),
    );
    this.cached.set(projectId, references);
    return references;
  }
}

/**
 * The text of a gateway request body that guardrails read: every string and
 * text part of its messages, Anthropic's `system`, and the Responses API's
 * `instructions` and `input`. Images and tool definitions are not text a
 * reference prompt could match.
 */
export function promptTextOf(body: unknown): string {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const parts: string[] = [];
  const collect = (content: unknown) => {
    if (typeof content === 'string') parts.push(content);
    else if (Array.isArray(content)) {
      for (const part of content) {
        if (typeof part === 'object' && part !== null && typeof part.text === 'string')
          parts.push(part.text as string);
      }
    }
  };
  collect(fields.system);
  collect(fields.instructions);
  if (typeof fields.input === 'string') collect(fields.input);
  for (const messages of [fields.messages, fields.input]) {
    if (!Array.isArray(messages)) continue;
    for (const message of messages) {
      if (typeof message === 'object' && message !== null)
        collect((message as { content?: unknown }).content);
    }
  }
  return parts.join('\n');
}
