// npm run bench: figures from one run on this machine, each with the ratio to a raw baseline
// measured in the same run. Never used as a test: nothing here asserts on time.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { io } from 'socket.io-client';
import { closedLoop, createDatabase, fmt, openLoop, percentile, postJson, startServer } from './lib.mjs';
import { createBenchChannel, evolutionInbound } from './payloads.mjs';

const N = Number(process.env.BENCH_N ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const ACK_RATE = Number(process.env.BENCH_ACK_RATE ?? 200);
const E2E_RATE = Number(process.env.BENCH_E2E_RATE ?? 50);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

const results = {
  machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model}, node ${process.version}`,
  at: new Date().toISOString(),
};

const post = (url, body) => postJson(url, '/api/comms/webhooks/evolution', body);

async function ingestBench() {
  const db = await createDatabase();
  const server = await startServer({ databaseUrl: db.url, role: 'api', port: 3811 });
  try {
    const channel = await createBenchChannel(server.url);
    // Warm-up (JIT, connection pools), then the measured run.
    await closedLoop(500, CONCURRENCY, (i) => post(server.url, evolutionInbound(1_000_000 + i)));
    let non2xx = 0;
    const app = await closedLoop(N, CONCURRENCY, async (i) => {
      if ((await post(server.url, evolutionInbound(i))) !== 200) non2xx++;
    });

    // Baseline: the same rows inserted straight into a table with the same indexes.
    const client = new pg.Pool({ connectionString: db.url, max: 20 });
    await client.query(`CREATE TABLE webhook_events_raw (LIKE webhook_events INCLUDING ALL)`);
    const row = (i) => ['evolution', channel.id, `evolution:bench:msg:RAW${i}`, 'messages.upsert', 'application/json', evolutionInbound(i)];
    const insert = `INSERT INTO webhook_events_raw (provider, channel_id, dedupe_key, event_type, content_type, raw_body)
                    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`;
    await closedLoop(500, CONCURRENCY, (i) => client.query(insert, row(1_000_000 + i)));
    const raw = await closedLoop(N, CONCURRENCY, (i) => client.query(insert, row(i)));
    const stored = (await client.query(`SELECT count(*)::int AS n FROM webhook_events`)).rows[0].n;
    await client.end();

    results.ingest = {
      webhooksPerSec: N / app.seconds,
      rawInsertsPerSec: N / raw.seconds,
      ratio: N / app.seconds / (N / raw.seconds),
      non2xx,
      storedRows: stored,
      ackP50ms: percentile(app.latencies, 50),
      ackP99ms: percentile(app.latencies, 99),
      concurrency: CONCURRENCY,
      n: N,
    };

    // Open loop: acknowledgement latency at a fixed arrival rate.
    let openNon2xx = 0;
    const lat = await openLoop(ACK_RATE, SECONDS, async (i) => {
      const t0 = performance.now();
      if ((await post(server.url, evolutionInbound(2_000_000 + i))) !== 200) openNon2xx++;
      return performance.now() - t0;
    });
    results.ack = {
      ratePerSec: ACK_RATE,
      seconds: SECONDS,
      p50ms: percentile(lat, 50),
      p99ms: percentile(lat, 99),
      maxMs: Math.max(...lat),
      non2xx: openNon2xx,
    };
  } finally {
    await server.stop();
    await db.drop();
  }
}

async function socketBench() {
  const db = await createDatabase();
  const server = await startServer({ databaseUrl: db.url, role: 'all', port: 3812 });
  const sockets = [];
  try {
    await createBenchChannel(server.url);
    const sent = new Map();
    const latencies = [];
    let delivered = 0;
    for (let s = 0; s < SOCKETS; s++) {
      const socket = io(server.url, { path: '/socket.io', transports: ['websocket'], forceNew: true });
      await new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      socket.on('new_message', (e) => {
        delivered++;
        if (s !== 0) return;
        const t0 = sent.get(e.message.providerMessageId);
        if (t0 !== undefined) latencies.push(performance.now() - t0);
      });
      sockets.push(socket);
    }
    // Warm-up.
    await openLoop(E2E_RATE, 2, (i) => post(server.url, evolutionInbound(3_000_000 + i)));
    await new Promise((r) => setTimeout(r, 1000));
    latencies.length = 0;
    delivered = 0;
    const total = Math.round(E2E_RATE * SECONDS);
    await openLoop(E2E_RATE, SECONDS, async (i) => {
      const body = evolutionInbound(i);
      sent.set(`BENCH${process.pid}X${i}`, performance.now());
      await post(server.url, body);
    });
    const deadline = Date.now() + 15_000;
    while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    results.webhookToSocket = {
      ratePerSec: E2E_RATE,
      seconds: SECONDS,
      sockets: SOCKETS,
      received: latencies.length,
      expected: total,
      deliveredToAllSockets: delivered,
      p50ms: percentile(latencies, 50),
      p95ms: percentile(latencies, 95),
      p99ms: percentile(latencies, 99),
    };
  } finally {
    for (const s of sockets) s.disconnect();
    await server.stop();
    await db.drop();
  }
}

await ingestBench();
await socketBench();

const i = results.ingest;
const a = results.ack;
const w = results.webhookToSocket;
console.log(`\nSwitchboard benchmarks — ${results.machine}`);
console.log(`Ingest (Evolution messages.upsert, ${i.n} POSTs, ${i.concurrency} concurrent, ROLE=api):`);
console.log(
  `  stored + acknowledged: ${fmt(i.webhooksPerSec, 0)} webhooks/s   raw pg single-row inserts: ${fmt(i.rawInsertsPerSec, 0)} rows/s   ratio ${fmt(i.ratio, 2)}`,
);
console.log(`  non-2xx: ${i.non2xx}   rows stored: ${i.storedRows} of ${i.n + 500} POSTed   closed-loop ack p50 ${fmt(i.ackP50ms)} ms  p99 ${fmt(i.ackP99ms)} ms`);
console.log(
  `Ack latency, open loop ${a.ratePerSec}/s for ${a.seconds}s: p50 ${fmt(a.p50ms)} ms  p99 ${fmt(a.p99ms)} ms  max ${fmt(a.maxMs)} ms  non-2xx ${a.non2xx}`,
);
console.log(`Webhook -> new_message on a socket, ${w.ratePerSec} msg/s for ${w.seconds}s, ${w.sockets} sockets (ROLE=all):`);
console.log(
  `  p50 ${fmt(w.p50ms)} ms  p95 ${fmt(w.p95ms)} ms  p99 ${fmt(w.p99ms)} ms   received ${w.received}/${w.expected}, events delivered to all sockets ${w.deliveredToAllSockets}`,
);
mkdirSync('bench/out', { recursive: true });
writeFileSync('bench/out/results.json', JSON.stringify(results, null, 2));
process.exit(0);
