/** `data:<media type>;base64,<data>` URLs, the way OpenAI requests carry inline images and files. */
export interface InlineData {
  mediaType: string;
  data: string;
}

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]+)*?);base64,/;

/** The media type and base64 data of a base64 data URL, or undefined for any other URL. */
export function parseDataUrl(url: string): InlineData | undefined {
  const match = DATA_URL.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1] ?? 'application/octet-stream', data: url.slice(match[0].length) };
}

export function toDataUrl({ mediaType, data }: InlineData): string {
  return `data:${mediaType};base64,${data}`;
}
