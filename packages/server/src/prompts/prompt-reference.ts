import {
  formatParam,
  InvalidRequestError,
  type PromptScope,
  type PromptStore,
} from '@tollgate/core';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { callTraceOf } from '../http/call-trace';
import { pickPromptVersion } from './pick-prompt-version';
import { promptNameField, versionNumberField } from './prompt-fields';
import {
  MissingPromptVariableError,
  renderPromptMessages,
  type RenderedMessage,
} from './render-prompt';

/** The prompt version a gateway call used, recorded on its event. */
export interface UsedPrompt {
  name: string;
  version: number;
}

export type GatewayBodyFormat = 'openai' | 'anthropic';

export const PROMPT_HEADER = 'x-tollgate-prompt';

const referenceSchema = z.strictObject({
  name: promptNameField.optional(),
  version: versionNumberField.optional(),
  variables: z
    .record(z.string().max(128), z.union([z.string(), z.number(), z.boolean()]))
    .optional(),
});

type Body = Record<string, unknown>;

function invalid(param: string, message: string, status = 400): InvalidRequestError {
  return new InvalidRequestError(`Invalid value for '${param}': ${message}`, {
    param,
    code: status === 404 ? 'prompt_not_found' : 'invalid_prompt',
    status,
  });
}

/** A zod result's value, or a 400 naming the field under `prefix` (`prompt.variables.topic`). */
function parsed<T>(result: z.ZodSafeParseResult<T>, prefix: string): T {
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const message = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  throw invalid(formatParam([prefix, ...issue.path])!, message);
}

/** `name` or `name@version`. */
function parseHeader(value: unknown): { name: string; version?: number } {
  const match = typeof value === 'string' ? /^([^@]+)(?:@(\d{1,7}))?$/.exec(value.trim()) : null;
  if (!match) throw invalid(PROMPT_HEADER, 'must be "name" or "name@version"');
  const name = parsed(promptNameField.safeParse(match[1]), PROMPT_HEADER);
  if (match[2] === undefined) return { name };
  return { name, version: parsed(versionNumberField.safeParse(match[2]), PROMPT_HEADER) };
}

/**
 * A gateway request that names a stored prompt instead of (or before) its
 * messages: `"prompt": { "name", "version"?, "variables"? }` in the body, or
 * the `x-tollgate-prompt: name[@version]` header (with the variables, if any,
 * in the body's `prompt.variables`). Returns the body to parse in its place:
 * the rendered system message and template first, then any messages the
 * request gave; the version's model, temperature and max tokens where the
 * request gives none. Without a version, the active one is picked as
 * `/resolve` picks it: sticky by `userId`, weighted random without one.
 * Undefined when the request names no prompt (the body is used as it is).
 */
export async function applyPromptReference(
  store: Pick<PromptStore, 'getPrompt'>,
  scope: PromptScope,
  request: { body: unknown; header: unknown; userId?: string },
  format: GatewayBodyFormat,
): Promise<{ body: Body; prompt: UsedPrompt } | undefined> {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { prompt: inBody, ...rest } = body as Body;
  if (inBody === undefined && request.header === undefined) return undefined;
  if (rest.messages != null && !Array.isArray(rest.messages)) {
    throw invalid('messages', 'must be an array of messages to follow the prompt');
  }

  const reference = inBody === undefined ? {} : parsed(referenceSchema.safeParse(inBody), 'prompt');
  const fromHeader = request.header === undefined ? undefined : parseHeader(request.header);
  if (fromHeader && reference.name !== undefined && reference.name !== fromHeader.name) {
    throw invalid('prompt.name', `names another prompt than the ${PROMPT_HEADER} header`);
  }
  const name = fromHeader?.name ?? reference.name;
  if (name === undefined) throw invalid('prompt.name', 'is required');
  const wanted = reference.version ?? fromHeader?.version;

  const prompt = await store.getPrompt(scope, name);
  if (!prompt) throw invalid('prompt.name', `no prompt named ${name} in this project`, 404);
  const version =
    wanted === undefined
      ? pickPromptVersion(prompt.name, prompt.versions, request.userId)?.version
      : prompt.versions.find((each) => each.version === wanted);
  if (!version) {
    throw wanted === undefined
      ? invalid('prompt.name', `prompt ${name} has no active version`)
      : invalid('prompt.version', `prompt ${name} has no version ${wanted}`, 404);
  }

  let rendered: RenderedMessage[];
  try {
    rendered = renderPromptMessages(version, reference.variables ?? {});
  } catch (error) {
    if (error instanceof MissingPromptVariableError) {
      throw invalid(`prompt.variables.${error.variable}`, `${error.message}, which is missing`);
    }
    throw error;
  }

  const given = (rest.messages as unknown[] | null | undefined) ?? [];
  const filled: Body = { ...rest };
  /** The request's own value wins; the version's fills a gap. */
  const fill = (key: string, value: unknown) => {
    if (filled[key] == null && value != null) filled[key] = value;
  };
  fill('model', version.model);
  fill('temperature', version.temperature);
  if (format === 'openai') {
    filled.messages = [...rendered, ...given];
    if (filled.max_completion_tokens == null) fill('max_tokens', version.maxTokens);
  } else {
    const user = rendered.at(-1)!;
    if (rendered.length === 2) fill('system', rendered[0]!.content);
    filled.messages = [{ role: 'user', content: user.content }, ...given];
    fill('max_tokens', version.maxTokens);
  }
  return { body: filled, prompt: { name: prompt.name, version: version.version } };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the gateway request named a stored prompt (see `promptReferenceHook`). */
    usedPrompt?: UsedPrompt;
  }
}

/**
 * The gateway endpoints' pre-handler that renders a prompt reference into the
 * body, so rate limits, budgets and guardrails after it see the real messages.
 * Put it right after the scope check. Leaves a request without one untouched.
 */
export function promptReferenceHook(
  store: Pick<PromptStore, 'getPrompt'>,
  format: GatewayBodyFormat,
): preHandlerAsyncHookHandler {
  return async (request) => {
    const caller = request.caller;
    // Without a project the endpoint refuses the call itself.
    if (!caller?.projectId) return;
    const header = request.headers[PROMPT_HEADER];
    const applied = await applyPromptReference(
      store,
      { orgId: caller.orgId, projectId: caller.projectId },
      { body: request.body, header, userId: callTraceOf(request).userId },
      format,
    );
    if (!applied) return;
    request.body = applied.body;
    request.usedPrompt = applied.prompt;
  };
}
