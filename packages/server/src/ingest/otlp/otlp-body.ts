import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { ApiError, isApiError } from '../../http/errors';
import { decodeLogsRequestProtobuf, decodeTraceRequestProtobuf } from './otlp-protobuf';

export type OtlpEncoding = 'json' | 'protobuf';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** The OTLP/HTTP encoding a content type names, if any. */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/json') return 'json';
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') {
    return 'protobuf';
  }
  return undefined;
}

/**
 * The body with its content encoding removed: gzip (what OTLP exporters
 * send), deflate, or none. The decompressed size is bounded like a plain body.
 */
export async function decompressBody(
  body: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  try {
    switch (encoding) {
      case '':
      case 'identity':
        return body;
      case 'gzip':
      case 'x-gzip':
        return await gunzipAsync(body, { maxOutputLength: maxBytes });
      case 'deflate':
        return await inflateAsync(body, { maxOutputLength: maxBytes });
      default:
        throw new ApiError(
          'unsupported_media_type',
          `content-encoding "${encoding}" is not supported: send gzip or an uncompressed body`,
          { field: 'content-encoding' },
        );
    }
  } catch (error) {
    if (isApiError(error)) throw error;
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ApiError(
        'payload_too_large',
        `the decompressed body is larger than ${maxBytes} bytes`,
        { field: 'body' },
      );
    }
    throw new ApiError('invalid_request', `the body is not valid ${encoding} data`, {
      field: 'body',
    });
  }
}

/** The signal an OTLP/HTTP request carries. */
export type OtlpSignal = 'traces' | 'logs';

const PROTOBUF_DECODERS = {
  traces: { decode: decodeTraceRequestProtobuf, message: 'ExportTraceServiceRequest' },
  logs: { decode: decodeLogsRequestProtobuf, message: 'ExportLogsServiceRequest' },
} as const;

/** The request document in its OTLP/JSON form, from either encoding. */
export function decodeTraceRequestBody(
  body: Buffer,
  encoding: OtlpEncoding,
  signal: OtlpSignal = 'traces',
): unknown {
  if (encoding === 'json') {
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch {
      throw new ApiError('invalid_request', 'the body is not valid JSON', { field: 'body' });
    }
  }
  try {
    return PROTOBUF_DECODERS[signal].decode(body);
  } catch (error) {
    throw new ApiError(
      'invalid_request',
      `the body is not a protobuf ${PROTOBUF_DECODERS[signal].message} (${(error as Error).message})`,
      { field: 'body' },
    );
  }
}
