/**
 * A test-only ClickHouse HTTP endpoint: the subset of ClickHouse's HTTP
 * interface that `@clickhouse/client` uses, served on 127.0.0.1 in front of
 * its own chDB session. No ClickHouse server can be installed here, and this
 * lets the event store's server driver run its contract suite over real HTTP.
 *
 * chDB serves one data directory per process, so the endpoint runs in a child
 * process: `startClickHouseHttpEndpoint()` spawns this same file with
 * `node --import tsx`, reads the port the child prints on stdout, and kills the
 * child on `stop()`.
 *
 * Supported: `GET`/`POST /` with the query in the `query` URL parameter or the
 * body (an INSERT's data in the body after a `query` parameter), `param_<name>`
 * query parameters, `default_format` / a trailing `FORMAT`, any other URL
 * parameter as a setting for that request only (`insert_deduplication_token`,
 * `async_insert`, ...), `X-ClickHouse-Summary` / `-Format` / `-Query-Id`
 * response headers, errors as ClickHouse's exception text with
 * `X-ClickHouse-Exception-Code` and status 500, gzip both ways, `GET /ping`.
 * Not supported (answered with an error): multipart parameters, other
 * databases than `default`, Map and Tuple parameters. Requests run one at a time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, gzip, inflate } from 'node:zlib';
import { createTempDir } from './temp-dir';

export interface ClickHouseHttpEndpoint {
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

const THIS_FILE = fileURLToPath(import.meta.url);
const REPOSITORY_ROOT = resolve(THIS_FILE, '../../../../..');
const DATA_DIR_VARIABLE = 'TOLLGATE_TEST_CLICKHOUSE_ENDPOINT_DATA_DIR';

/** Starts the endpoint in a child process with a fresh data directory, removed on `stop()`. */
export async function startClickHouseHttpEndpoint(): Promise<ClickHouseHttpEndpoint> {
  const directory = createTempDir('tollgate-clickhouse-endpoint-');
  const child = spawn(process.execPath, ['--import', 'tsx', THIS_FILE], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, [DATA_DIR_VARIABLE]: directory.path },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const port = await readPort(child, 60_000);
    return {
      url: `http://127.0.0.1:${port}`,
      stop: async () => {
        await stopChild(child);
        directory.remove();
      },
    };
  } catch (error) {
    await stopChild(child);
    directory.remove();
    throw error;
  }
}

function readPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`the ClickHouse test endpoint did not start in ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      resolvePort((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the ClickHouse test endpoint exited before listening (code ${code}, signal ${signal})`,
        ),
      );
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------
// The child: an HTTP server in front of one chDB session.
// ---------------------------------------------------------------------------

/** URL parameters of the HTTP interface that are not settings. */
const NOT_SETTINGS = new Set([
  'query',
  'query_id',
  'database',
  'default_format',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'quota_key',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'role',
]);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TRAILING_FORMAT = /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i;
const RAW_INSERT =
  /^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_.]*)\s*(?:\(([^)]*)\))?\s*FORMAT\s+([A-Za-z]+)\s*$/i;
const RAW_INSERT_FORMATS = new Set([
  'JSONEachRow',
  'JSONCompactEachRow',
  'CSV',
  'CSVWithNames',
  'TSV',
  'TabSeparated',
]);
const MUTATING =
  /^\s*(INSERT|CREATE|DROP|ALTER|TRUNCATE|RENAME|OPTIMIZE|DELETE|UPDATE|SYSTEM|ATTACH|DETACH|GRANT|REVOKE|KILL)\b/i;

interface ChdbSession {
  queryAsync(query: string, options: { format: string }): Promise<ChdbAnswer>;
  queryBindAsync(
    query: string,
    parameters: object,
    options: { format: string },
  ): Promise<ChdbAnswer>;
  insert(parameters: {
    table: string;
    values: Buffer;
    format: string;
    columns?: string[];
  }): Promise<{ rowsWritten: number; bytesWritten: number; elapsed: number }>;
  close(): void;
}
interface ChdbAnswer {
  bytes(): Uint8Array;
  rowsRead: number;
  bytesRead: number;
  elapsed: number;
}

/** A ClickHouse exception as the server reports it. */
class EndpointException extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
    readonly status = 500,
  ) {
    super(message);
  }
}

function exceptionText(
  error: unknown,
  version: string,
): { code: number; text: string; status: number } {
  if (error instanceof EndpointException) {
    return {
      code: error.code,
      status: error.status,
      text: `Code: ${error.code}. DB::Exception: ${error.message}. (${error.type}) (version ${version})\n`,
    };
  }
  const failure = error as { message?: string; clickhouseCode?: number; code?: string };
  const message = failure.message ?? String(error);
  if (/^Code: \d+\./.test(message)) {
    return {
      code: failure.clickhouseCode ?? 1001,
      status: 500,
      text: `${message} (version ${version})\n`,
    };
  }
  const [code, type] =
    failure.code === 'CHDB_BIND' ? [457, 'BAD_QUERY_PARAMETER'] : [1001, 'STD_EXCEPTION'];
  return {
    code,
    status: 500,
    text: `Code: ${code}. DB::Exception: ${message}. (${type}) (version ${version})\n`,
  };
}

/** ClickHouse's escaped text (what the client sends as `param_` values) back to the string it stands for. */
function unescapeText(text: string): string {
  const simple: Record<string, string> = {
    b: '\b',
    f: '\f',
    n: '\n',
    r: '\r',
    t: '\t',
    '0': '\0',
    a: '\x07',
    v: '\v',
  };
  return text.replace(/\\(x[0-9A-Fa-f]{2}|[\s\S])/g, (_, escaped: string) =>
    escaped.length === 3
      ? String.fromCharCode(parseInt(escaped.slice(1), 16))
      : (simple[escaped] ?? escaped),
  );
}

/** Parses an array literal such as `['a\'b',1,NULL,[2]]` (how the client sends array parameters). */
function parseArrayLiteral(text: string): unknown[] {
  let at = 0;
  const fail = (): never => {
    throw new EndpointException(
      457,
      'BAD_QUERY_PARAMETER',
      `cannot parse array parameter ${JSON.stringify(text)}`,
    );
  };
  const skipSpaces = () => {
    while (text[at] === ' ') at += 1;
  };
  const value = (): unknown => {
    skipSpaces();
    if (text[at] === '[') {
      at += 1;
      const items: unknown[] = [];
      skipSpaces();
      if (text[at] === ']') return ((at += 1), items);
      for (;;) {
        items.push(value());
        skipSpaces();
        if (text[at] === ',') at += 1;
        else if (text[at] === ']') return ((at += 1), items);
        else fail();
      }
    }
    if (text[at] === "'") {
      // A quoted string: everything up to the next quote that is not escaped.
      const end = /^'((?:[^'\\]|\\[\s\S])*)'/.exec(text.slice(at)) ?? fail();
      at += end[0].length;
      return unescapeText(end[1]!);
    }
    const token = /^[^,\]\s]+/.exec(text.slice(at))?.[0] ?? fail();
    at += token.length;
    if (/^NULL$/i.test(token)) return null;
    if (/^(true|false)$/i.test(token)) return token.toLowerCase() === 'true';
    const number = Number(token);
    if (Number.isNaN(number)) fail();
    return Number.isSafeInteger(number) || !/^-?\d+$/.test(token) ? number : BigInt(token);
  };
  const result = value();
  skipSpaces();
  if (!Array.isArray(result) || at !== text.length) fail();
  return result as unknown[];
}

/** `param_<name>` values, typed by their `{name:Type}` placeholder, as chDB's binder wants them. */
function bindParameters(sql: string, raw: Map<string, string>): Record<string, unknown> {
  const types = new Map<string, string>();
  for (const match of sql.matchAll(/\{\s*([A-Za-z0-9_]+)\s*:\s*([^}]+)\}/g))
    types.set(match[1]!, match[2]!.trim());
  const bound: Record<string, unknown> = {};
  for (const [name, text] of raw) {
    const type = types.get(name) ?? 'String';
    if (/^(Map|Tuple|Nullable\((Map|Tuple))\(/.test(type)) {
      throw new EndpointException(
        457,
        'BAD_QUERY_PARAMETER',
        `the test endpoint does not bind ${type} parameters`,
      );
    }
    if (text === '\\N') bound[name] = null;
    else if (/^(Nullable\()?Array\(/.test(type)) bound[name] = parseArrayLiteral(text);
    else bound[name] = unescapeText(text);
  }
  return bound;
}

const sqlString = (value: string): string =>
  `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function contentType(format: string): string {
  if (/^JSON(Compact)?(Strings)?(EachRow|Columns|Object)/.test(format))
    return 'application/x-ndjson; charset=UTF-8';
  if (format.startsWith('JSON')) return 'application/json; charset=UTF-8';
  if (format.startsWith('CSV')) return 'text/csv; charset=UTF-8; header=absent';
  return 'text/tab-separated-values; charset=UTF-8';
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  switch (request.headers['content-encoding']) {
    case undefined:
      return body;
    case 'gzip':
      return promisify(gunzip)(body);
    case 'deflate':
      return promisify(inflate)(body);
    case 'br':
      return promisify(brotliDecompress)(body);
    default:
      throw new EndpointException(
        1001,
        'STD_EXCEPTION',
        `unsupported Content-Encoding ${request.headers['content-encoding']}`,
      );
  }
}

interface Answer {
  body: Buffer;
  format: string;
  summary: Record<string, string>;
}

async function execute(
  session: ChdbSession,
  request: IncomingMessage,
  url: URL,
  body: Buffer,
): Promise<Answer> {
  if (String(request.headers['content-type']).startsWith('multipart/form-data')) {
    throw new EndpointException(
      1001,
      'STD_EXCEPTION',
      'the test endpoint does not read multipart parameters',
    );
  }
  const database = url.searchParams.get('database') ?? request.headers['x-clickhouse-database'];
  if (database !== undefined && database !== null && database !== 'default') {
    throw new EndpointException(
      81,
      'UNKNOWN_DATABASE',
      `the test endpoint has only the default database, not ${database}`,
    );
  }
  const urlQuery = url.searchParams.get('query');
  const sql = urlQuery ?? body.toString('utf8');
  const data = urlQuery !== null && body.length > 0 ? body : undefined;
  if (!sql.trim()) throw new EndpointException(62, 'SYNTAX_ERROR', 'Empty query');
  if (request.method === 'GET' && MUTATING.test(sql)) {
    throw new EndpointException(
      164,
      'READONLY',
      'Cannot execute query in readonly mode: a GET request is read-only',
    );
  }
  const headerFormat = request.headers['x-clickhouse-format'];
  const defaultFormat =
    url.searchParams.get('default_format') ??
    (typeof headerFormat === 'string' ? headerFormat : 'TabSeparated');
  // An INSERT's FORMAT names its input; the answer is in the default format.
  const format = data ? defaultFormat : (TRAILING_FORMAT.exec(sql)?.[1] ?? defaultFormat);

  const parameters = new Map<string, string>();
  const settings: [string, string][] = [];
  for (const [name, value] of url.searchParams) {
    if (name.startsWith('param_')) parameters.set(name.slice('param_'.length), value);
    else if (!NOT_SETTINGS.has(name)) settings.push([name, value]);
  }

  const applied: string[] = [];
  try {
    for (const [name, value] of settings) {
      if (!IDENTIFIER.test(name))
        throw new EndpointException(115, 'UNKNOWN_SETTING', `Unknown setting '${name}'`);
      await session.queryAsync(`SET ${name} = ${sqlString(value)}`, { format: 'TabSeparated' });
      applied.push(name);
    }
    const insert = data ? RAW_INSERT.exec(sql) : null;
    if (data && insert && RAW_INSERT_FORMATS.has(insert[3]!)) {
      const columns = insert[2]?.split(',').map((column) => column.trim());
      const result = await session.insert({
        table: insert[1]!,
        values: data,
        format: insert[3]!,
        ...(columns ? { columns } : {}),
      });
      return {
        body: Buffer.alloc(0),
        format,
        summary: {
          written_rows: String(result.rowsWritten),
          written_bytes: String(result.bytesWritten),
          elapsed_ns: String(Math.round(result.elapsed * 1e9)),
        },
      };
    }
    const statement = data ? `${sql}\n${data.toString('utf8')}` : sql;
    const result =
      parameters.size === 0
        ? await session.queryAsync(statement, { format })
        : await session.queryBindAsync(statement, bindParameters(sql, parameters), { format });
    const bytes = Buffer.from(result.bytes());
    return {
      body: bytes,
      format,
      summary: {
        read_rows: String(result.rowsRead),
        read_bytes: String(result.bytesRead),
        result_rows: String(result.rowsRead),
        result_bytes: String(bytes.length),
        elapsed_ns: String(Math.round(result.elapsed * 1e9)),
      },
    };
  } finally {
    for (const name of applied)
      await session.queryAsync(`SET ${name} = DEFAULT`, { format: 'TabSeparated' });
  }
}

async function serve(dataDirectory: string): Promise<void> {
  const { Session } = (await import('chdb')) as unknown as {
    Session: new (path: string) => ChdbSession;
  };
  const session = new Session(dataDirectory);
  const version = Buffer.from(
    (await session.queryAsync('SELECT version()', { format: 'TabSeparated' })).bytes(),
  )
    .toString('utf8')
    .trim();
  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task);
    queue = next.catch(() => undefined);
    return next;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const queryId = url.searchParams.get('query_id') ?? randomUUID();
    const common = {
      'X-ClickHouse-Server-Display-Name': 'tollgate-test-endpoint',
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Timezone': 'UTC',
      'Keep-Alive': 'timeout=10',
    };
    try {
      if (
        url.pathname === '/ping' ||
        (url.pathname === '/' && request.method === 'GET' && !url.searchParams.has('query'))
      ) {
        response
          .writeHead(200, { ...common, 'Content-Type': 'text/html; charset=UTF-8' })
          .end('Ok.\n');
        return;
      }
      if (url.pathname !== '/') {
        throw new EndpointException(
          1001,
          'STD_EXCEPTION',
          `There is no handle ${url.pathname}`,
          404,
        );
      }
      if (request.method !== 'GET' && request.method !== 'POST') {
        throw new EndpointException(
          1001,
          'STD_EXCEPTION',
          `method ${request.method} is not allowed`,
          405,
        );
      }
      const body = await readBody(request);
      const answer = await exclusive(() => execute(session, request, url, body));
      const compress =
        url.searchParams.get('enable_http_compression') === '1' &&
        /\bgzip\b/.test(String(request.headers['accept-encoding']));
      const payload = compress ? await promisify(gzip)(answer.body) : answer.body;
      response.writeHead(200, {
        ...common,
        'Content-Type': contentType(answer.format),
        'X-ClickHouse-Format': answer.format,
        'X-ClickHouse-Summary': JSON.stringify({
          read_rows: '0',
          read_bytes: '0',
          written_rows: '0',
          written_bytes: '0',
          total_rows_to_read: '0',
          result_rows: '0',
          result_bytes: '0',
          elapsed_ns: '0',
          ...answer.summary,
        }),
        ...(compress ? { 'Content-Encoding': 'gzip' } : {}),
      });
      response.end(payload);
    } catch (error) {
      const { code, text, status } = exceptionText(error, version);
      response
        .writeHead(status, {
          ...common,
          'Content-Type': 'text/plain; charset=UTF-8',
          'X-ClickHouse-Exception-Code': String(code),
        })
        .end(text);
    }
  };

  const server = createServer((request, response) => void handle(request, response));
  server.keepAliveTimeout = 10_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections();
    void queue.finally(() => {
      session.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  // The parent holds our stdin open; when it goes away, so do we.
  process.stdin.on('end', shutdown).on('close', shutdown).resume();
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE) {
  const directory = process.env[DATA_DIR_VARIABLE];
  if (!directory) throw new Error(`${DATA_DIR_VARIABLE} is not set`);
  serve(directory).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
