/** Where the SDK's own warnings go: never thrown, never fatal. */
export type WarningSink = (message: string) => void;

export const consoleWarning: WarningSink = (message) => {
  console.warn(`[tollgate] ${message}`);
};

/** The message of anything thrown, with the network cause fetch hides in `cause`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const causeText =
    cause instanceof Error
      ? ((cause as { code?: string }).code ?? cause.message)
      : cause !== undefined && typeof cause !== 'object'
        ? String(cause)
        : undefined;
  return causeText && !error.message.includes(causeText)
    ? `${error.message} (${causeText})`
    : error.message;
}
