// Shared helpers for the benchmarks: a fresh database, the app as a child process, load loops
// and percentiles. Everything runs on loopback against this machine's PostgreSQL and Redis.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function createDatabase() {
  const name = `sb_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Starts the built server (npm run build:server) as its own process, as production runs it. */
export async function startServer({ databaseUrl, role = 'all', port, env = {} }) {
  const child = spawn(process.execPath, ['dist/server/server/src/main.js'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      QUEUE_PREFIX: `sbbench-${randomBytes(4).toString('hex')}`,
      ROLE: role,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      COMMS_ENCRYPTION_KEY: 'bench-key',
      SWITCHBOARD_DEMO_DATA: 'off',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return { url, child, stop: () => stop(child) };
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('server did not become healthy');
}

function stop(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** Runs `fn(i)` for i in [0, total) with `concurrency` loops; returns per-call latencies (ms). */
export async function closedLoop(total, concurrency, fn) {
  let next = 0;
  const latencies = new Array(total);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const t0 = performance.now();
        await fn(i);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

/** Starts `fn(i)` at a fixed rate regardless of how long calls take (open loop). */
export async function openLoop(ratePerSec, seconds, fn) {
  const total = Math.round(ratePerSec * seconds);
  const intervalMs = 1000 / ratePerSec;
  const start = performance.now();
  const pending = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(fn(i));
  }
  return Promise.all(pending);
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, idx)];
}

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

// Node's fetch tops out near 1,000 requests/s on this machine, below the server under test;
// plain http.request on a keep-alive agent does about 2,800/s, so it is the load generator.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs a JSON string; resolves with the status code once the whole answer is read. */
export function postJson(baseUrl, path, body) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
