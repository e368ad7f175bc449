import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from './support/test-app';

const inbound = (id: string, text: string) => ({ event: 'message', id, from: '+447700900123', name: 'Oliver Bennett', text });

describe('Realtime catch-up (integration)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
    // The mock channel is what a fresh install has.
    await app.post('/api/comms/channels', { provider: 'mock', name: 'Mock' });
  });

  afterAll(() => app.close());

  it('should send what a reconnecting client missed, in seq order, before anything else', async () => {
    const first = await app.socket();
    await app.post('/api/comms/webhooks/mock', inbound('sync-1', 'first'));
    const seen = await first.waitFor('new_message', (d) => d.message.body === 'first');
    first.socket.disconnect();

    await app.post('/api/comms/webhooks/mock', inbound('sync-2', 'second, while away'));
    await app.post('/api/comms/webhooks/mock', inbound('sync-3', 'third, while away'));
    // Wait for the ingest of both (no socket is listening now).
    const deadline = Date.now() + 10_000;
    while (
      (await app.sql(`SELECT 1 FROM messages WHERE provider_message_id IN ('sync-2', 'sync-3')`)).length < 2 &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 25));
    }

    const again = await app.socket({ lastSeq: seen.seq });
    const sync = await again.waitFor('sync');
    expect(sync.reset).toBe(false);
    const missed = sync.events.filter((e: any) => e.data.seq > seen.seq);
    const bodies = missed.filter((e: any) => e.type === 'new_message').map((e: any) => e.data.message.body);
    expect(bodies).toEqual(['second, while away', 'third, while away']);
    const seqs = sync.events.map((e: any) => e.data.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    // A short overlap before lastSeq is repeated on purpose (late commits); never more.
    expect(sync.events.filter((e: any) => e.data.seq <= seen.seq).length).toBeLessThanOrEqual(50);
    expect(sync.lastSeq).toBeGreaterThanOrEqual(seqs[seqs.length - 1]);
    expect(again.events[0].type).toBe('sync');
  });

  it('should tell a client with a seq from the future to refetch', async () => {
    const s = await app.socket({ lastSeq: 10_000_000 });
    const sync = await s.waitFor('sync');
    expect(sync).toMatchObject({ reset: true, events: [] });
  });

  it('should send no sync to a client that gives no lastSeq', async () => {
    const s = await app.socket();
    await app.post('/api/comms/webhooks/mock', inbound(`live-${randomUUID()}`, 'live only'));
    await s.waitFor('new_message', (d) => d.message.body === 'live only');
    expect(s.events.some((e) => e.type === 'sync')).toBe(false);
  });

  it('should expose the current seq with the thread list so a client can start from it', async () => {
    const list = await app.get('/api/comms/threads');
    const seq = Number(list.headers.get('x-realtime-seq'));
    expect(seq).toBeGreaterThan(0);
    const [row] = await app.sql<{ max: string }>(`SELECT max(seq) AS max FROM realtime_events`);
    expect(seq).toBeLessThanOrEqual(Number(row.max));
  });
});
