import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formFields } from './route-server';

export interface RecordedCall {
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  body: any;
  /** The body's exact bytes (a multipart upload carries binary files that `raw` would mangle). */
  bytes: Buffer;
}

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string;
  fileName: string | null;
  contentType: string | null;
  data: Buffer;
}

export interface FakeReply {
  status: number;
  body: unknown;
  /** Raw bytes instead of JSON (media downloads). */
  bytes?: Buffer;
  contentType?: string;
  /** Answer only after this long (a slow provider). */
  delayMs?: number;
}

/**
 * A local HTTP server for a provider's REST API: every call is recorded; `route` answers by
 * default and `script` queues one-off replies per "METHOD /path" (failures, slow answers).
 */
export class FakeHttp {
  readonly calls: RecordedCall[] = [];
  private readonly scripted = new Map<string, FakeReply[]>();
  private server: Server | null = null;
  url = '';

  constructor(private readonly route: (call: RecordedCall) => FakeReply) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const raw = bytes.toString('utf8');
        const u = new URL(req.url ?? '/', 'http://fake');
        let body: any = null;
        try {
          // Form posts (Twilio) are recorded as an object of fields; a repeated name keeps every value.
          body = !raw
            ? null
            : /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')
              ? formFields(raw)
              : JSON.parse(raw);
        } catch {
          body = raw;
        }
        const call: RecordedCall = {
          at: Date.now(),
          method: req.method ?? '',
          path: u.pathname,
          query: u.searchParams,
          headers: req.headers,
          raw,
          body,
          bytes,
        };
        this.calls.push(call);
        const reply = this.scripted.get(`${call.method} ${call.path}`)?.shift() ?? this.route(call);
        setTimeout(() => {
          res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' });
          res.end(reply.bytes ?? JSON.stringify(reply.body));
        }, reply.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  script(methodAndPath: string, ...replies: FakeReply[]): void {
    this.scripted.set(methodAndPath, [...(this.scripted.get(methodAndPath) ?? []), ...replies]);
  }

  callsTo(method: string, path: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.path === path);
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * The parts of a multipart/form-data request (Meta's media upload), bytes exact; throws when the
 * call is not multipart, so a test fails with the reason rather than on a missing part.
 */
export function multipartParts(call: RecordedCall): MultipartPart[] {
  const type = call.headers['content-type'] ?? '';
  const boundary = /^multipart\/form-data;.*\bboundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary) throw new Error(`not a multipart/form-data request: content-type ${type}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let at = call.bytes.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    // `--boundary--` closes the body.
    if (call.bytes.subarray(start, start + 2).toString() === '--') break;
    const next = call.bytes.indexOf(delimiter, start);
    if (next === -1) throw new Error('multipart body without a closing boundary');
    // Each part: CRLF, headers, CRLF CRLF, data, CRLF before the next delimiter.
    const part = call.bytes.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const disposition = /^content-disposition:(.*)$/im.exec(head)?.[1] ?? '';
    parts.push({
      name: /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? '',
      fileName: /\bfilename="([^"]*)"/i.exec(disposition)?.[1] ?? null,
      contentType: /^content-type:\s*(.*)$/im.exec(head)?.[1].trim() ?? null,
      data: Buffer.from(part.subarray(split + 4)),
    });
    at = next;
  }
  return parts;
}
