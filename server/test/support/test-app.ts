import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@switchboard/contracts';
import { startApp, type Running } from '../../src/bootstrap';
import { loadConfig } from '../../src/config/app-config';

/**
 * Integration tests run the real app against real PostgreSQL and Redis: each test file gets its
 * own database (created here, dropped after) and its own Bull key prefix, so files run in
 * parallel without seeing each other. PostgreSQL: TEST_DATABASE_URL (a server-level URL, default
 * the machine's local server); Redis: TEST_REDIS_URL (default 127.0.0.1:6379).
 */
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestApp {
  url: string;
  running: Running;
  databaseUrl: string;
  databaseName: string;
  /** A direct connection for assertions on stored rows. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  postRaw(path: string, raw: string | Buffer, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any; headers: Headers }>;
  patch(path: string, body: unknown): Promise<{ status: number; body: any }>;
  socket(auth?: { lastSeq?: number }): Promise<RecordingSocket>;
  close(): Promise<void>;
}

export async function createDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `sb_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function adminQuery(text: string, params: unknown[] = []): Promise<void> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(text, params);
  } finally {
    await c.end();
  }
}

export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createDatabase();
  const mediaDir = join(tmpdir(), `sbtest-media-${db.name}`);
  const config = loadConfig(
    {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: `sbtest-${db.name}`,
      COMMS_ENCRYPTION_KEY: 'test-encryption-key',
      COMMS_SEND_BACKOFF_MS: '50',
      // Provider pacing (human-like gaps for WhatsApp gateways) would slow every test down; the
      // pacing spec sets these to '' to test the real per-provider pacing.
      COMMS_SEND_RATE_PER_SECOND: '20',
      COMMS_SEND_MIN_GAP_MS: '0',
      COMMS_SEND_JITTER_MS: '0',
      COMMS_INGEST_BACKOFF_MS: '50',
      COMMS_MOCK_DELIVER_MS: '30',
      COMMS_MOCK_READ_MS: '60',
      LOG_LEVEL: 'error',
      CLIENT_DIR: '/nonexistent',
      COMMS_MEDIA_STORAGE_DIR: mediaDir,
      ...env,
    },
    process.cwd(),
  );
  const running = await startApp({ ...config, port: 0 }, { seed: env.SWITCHBOARD_DEMO_DATA !== undefined });
  const url = running.url!;
  // A pool, not one client: tests that cut the database off must not kill their own probe.
  const pg = new Pool({ connectionString: db.url, max: 2 });
  pg.on('error', () => undefined);
  const sockets: Socket[] = [];
  const json = async (res: Response): Promise<any> => {
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
  const app: TestApp = {
    url,
    running,
    databaseUrl: db.url,
    databaseName: db.name,
    sql: async (text, params) => (await pg.query(text, params)).rows,
    post: async (path, body, headers = {}) => {
      const res = await fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await json(res), headers: res.headers };
    },
    postRaw: async (path, raw, headers = {}) => {
      const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
      return { status: res.status, body: await json(res) };
    },
    get: async (path) => {
      const res = await fetch(url + path);
      return { status: res.status, body: await json(res), headers: res.headers };
    },
    patch: async (path, body) => {
      const res = await fetch(url + path, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: await json(res) };
    },
    socket: async (auth = {}) => {
      const s = connectSocket(url, auth);
      sockets.push(s.socket);
      await s.connected;
      return s;
    },
    close: async () => {
      for (const s of sockets) s.disconnect();
      // The tests' keep-alive connections: a streamed file's response ends (res.end on the file
      // stream's 'end') just after the client already has every byte, so a close() that starts
      // at that moment finds the connection busy, and Node then keeps it for the 72 s keep-alive.
      (running.app as unknown as { getHttpServer?: () => { closeAllConnections?: () => void } }).getHttpServer?.()?.closeAllConnections?.();
      await running.close();
      await pg.end();
      await db.drop();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
  return app;
}

export interface RecordingSocket {
  socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  events: { type: string; data: any }[];
  connected: Promise<void>;
  /** Resolves with the first recorded event (past or future) matching the predicate. */
  waitFor(type: string, predicate?: (data: any) => boolean, timeoutMs?: number): Promise<any>;
}

export function connectSocket(url: string, auth: { lastSeq?: number }): RecordingSocket {
  const socket: Socket = io(url, { path: '/socket.io', transports: ['websocket'], auth, reconnection: false, forceNew: true });
  const events: { type: string; data: any }[] = [];
  const waiters: { type: string; predicate: (d: any) => boolean; resolve: (d: any) => void }[] = [];
  socket.onAny((type: string, data: any) => {
    events.push({ type, data });
    for (const w of [...waiters]) {
      if (w.type === type && w.predicate(data)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(data);
      }
    }
  });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    socket: socket as Socket<ServerToClientEvents, ClientToServerEvents>,
    events,
    connected,
    waitFor: (type, predicate = () => true, timeoutMs = 10_000) => {
      const past = events.find((e) => e.type === type && predicate(e.data));
      if (past) return Promise.resolve(past.data);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          type,
          predicate,
          resolve: (d) => {
            clearTimeout(timer);
            resolve(d);
          },
        });
      });
    },
  };
}

/** Polls until `probe` returns a truthy value: for state that has no event to wait on. */
export async function eventually<T>(probe: () => Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what} (last value: ${JSON.stringify(last)})`);
}
