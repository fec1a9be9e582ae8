import type { PromptVersion } from '@tollgate/core';

/**
 * `{{ name }}` placeholders: a name of letters, digits, `_`, `.` and `-`,
 * starting with a letter or `_`, with optional spaces inside the braces.
 *
 * Hand-written rather than Mustache or Handlebars on purpose: those escape
 * HTML by default, treat `{{#x}}`/`{{>x}}` as sections and partials and render
 * a missing variable as an empty string, where a prompt needs the text as
 * written and a missing variable must be an error naming it.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

export type PromptVariables = Record<string, string | number | boolean>;

/** A message the rendered prompt starts a conversation with. */
export interface RenderedMessage {
  role: 'system' | 'user';
  content: string;
}

/** The names of the variables a text uses, each once, in order of first use. */
export function variablesOf(...texts: Array<string | null>): string[] {
  const names = new Set<string>();
  for (const text of texts) {
    for (const match of (text ?? '').matchAll(PLACEHOLDER)) names.add(match[1]!);
  }
  return [...names];
}

export class MissingPromptVariableError extends Error {
  override readonly name = 'MissingPromptVariableError';
  constructor(readonly variable: string) {
    super(`the prompt needs the variable "${variable}"`);
  }
}

/**
 * Fills a text's placeholders in one pass, so a value that itself contains
 * `{{x}}` stays as the caller wrote it. Throws for the first variable missing.
 */
export function renderText(text: string, variables: PromptVariables): string {
  return text.replace(PLACEHOLDER, (_placeholder, name: string) => {
    if (!Object.hasOwn(variables, name)) throw new MissingPromptVariableError(name);
    return String(variables[name]);
  });
}

/** The version's system message (when it has one) and its template as the user message. */
export function renderPromptMessages(
  version: Pick<PromptVersion, 'system' | 'template'>,
  variables: PromptVariables,
): RenderedMessage[] {
  const messages: RenderedMessage[] = [];
  if (version.system)
    messages.push({ role: 'system', content: renderText(version.system, variables) });
  messages.push({ role: 'user', content: renderText(version.template, variables) });
  return messages;
}
