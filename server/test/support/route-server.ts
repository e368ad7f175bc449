import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** The path with its query string, as the adapter sent it. */
  path: string;
  headers: IncomingHttpHeaders;
  /** JSON bodies parsed; form-encoded bodies as an object of fields (a repeated name: an array). */
  body: unknown;
  /** The body exactly as sent. */
  raw: string;
}

/** Form fields as an object; a name sent more than once keeps every value, in order. */
export function formFields(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  return out;
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text) return null;
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) return formFields(text);
  return JSON.parse(text);
}

/**
 * One route's answer: JSON, raw bytes (a media download), a string (a proxy's HTML error page),
 * or `'reset'` to drop the connection without answering.
 */
export type RouteReply =
  { status: number; body: unknown; contentType?: string } | { status: number; bytes: Buffer; contentType: string } | 'reset';

/**
 * A real HTTP server on 127.0.0.1 standing in for a provider's REST API in adapter specs: it
 * records every request and answers per "METHOD /path?query" route; unknown routes get the
 * provider's own 404 body.
 */
export class RouteServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, RouteReply>();
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const route = `${req.method} ${req.url}`;
      this.requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: parseBody(text, req.headers['content-type']),
        raw: text,
      });
      const reply = this.routes.get(route) ?? { status: 404, body: this.notFound(route) };
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      if ('bytes' in reply || Buffer.isBuffer(reply.body)) {
        const bytes = 'bytes' in reply ? reply.bytes : (reply.body as Buffer);
        res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/octet-stream' });
        res.end(bytes);
        return;
      }
      const raw = typeof reply.body === 'string';
      res.writeHead(reply.status, { 'content-type': reply.contentType ?? (raw ? 'text/html' : 'application/json; charset=utf-8') });
      res.end(raw ? (reply.body as string) : JSON.stringify(reply.body));
    });
  });

  constructor(private readonly notFound: (route: string) => unknown) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  on(route: string, reply: RouteReply): void {
    this.routes.set(route, reply);
  }

  reset(): void {
    this.requests.length = 0;
    this.routes.clear();
  }

  start(): Promise<void> {
    return new Promise((done) => this.server.listen(0, '127.0.0.1', done));
  }

  stop(): Promise<void> {
    // fetch keeps connections alive; close them or close() waits for them.
    this.server.closeAllConnections();
    return new Promise((done, fail) => this.server.close((err) => (err ? fail(err) : done())));
  }
}

/** A port nothing listens on: bind one, then release it. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((done) => s.close(() => done()));
  return port;
}
