import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  raw: string;
  body: any;
}

export interface FakeReply {
  status: number;
  body: unknown;
  /** Raw bytes instead of JSON (media downloads). */
  bytes?: Buffer;
  contentType?: string;
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
        const raw = Buffer.concat(chunks).toString('utf8');
        const u = new URL(req.url ?? '/', 'http://fake');
        let body: any = null;
        try {
          body = raw ? JSON.parse(raw) : null;
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
        };
        this.calls.push(call);
        const reply = this.scripted.get(`${call.method} ${call.path}`)?.shift() ?? this.route(call);
        res.writeHead(reply.status, { 'content-type': reply.contentType ?? 'application/json' });
        res.end(reply.bytes ?? JSON.stringify(reply.body));
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
