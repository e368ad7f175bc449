import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from './support/test-app';

describe('Quick start with the mock provider (integration)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ SWITCHBOARD_DEMO_DATA: 'on' });
  });

  afterAll(() => app.close());

  it('should create the mock channel and three demo conversations when nothing is configured', async () => {
    const channels = (await app.get('/api/comms/channels')).body;
    expect(channels.map((c: any) => c.provider)).toEqual(['mock']);
    const deadline = Date.now() + 10_000;
    let items: any[] = [];
    while (Date.now() < deadline) {
      items = (await app.get('/api/comms/threads')).body.items;
      if (items.length === 3 && (await app.sql(`SELECT 1 FROM webhook_events WHERE state = 'pending'`)).length === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(items.map((t) => t.displayName).sort()).toEqual(['Ana Souza', 'Oliver Bennett', 'Priya Sharma']);
    // Newest conversation first.
    expect(items[0].displayName).toBe('Priya Sharma');
  });

  it('should deliver and then read a reply on the mock, pushing each tick live', async () => {
    const socket = await app.socket();
    const thread = (await app.get('/api/comms/threads')).body.items[0];
    const res = await app.post(`/api/comms/threads/${thread.id}/messages`, {
      body: 'Of course — send me the new address.',
      clientMessageId: randomUUID(),
    });
    expect(res.status).toBe(202);
    for (const status of ['sent', 'delivered', 'read']) {
      await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === status);
    }
    const order = socket.events.filter((e) => e.type === 'status_update' && e.data.messageId === res.body.id).map((e) => e.data.status);
    expect(order).toEqual(['sent', 'delivered', 'read']);
  });

  it('should clear the unread badge when a thread is marked read, and tell every agent', async () => {
    const socket = await app.socket();
    const thread = (await app.get('/api/comms/threads?unread=true')).body.items[0];
    expect(thread.unreadCount).toBeGreaterThan(0);
    const res = await app.patch(`/api/comms/threads/${thread.id}`, { read: true, starred: true });
    expect(res.body).toMatchObject({ unreadCount: 0, starred: true });
    const ev = await socket.waitFor('thread_updated', (d) => d.thread.id === thread.id);
    expect(ev.thread.unreadCount).toBe(0);
    const starred = (await app.get('/api/comms/threads?starred=true')).body.items.map((t: any) => t.id);
    expect(starred).toEqual([thread.id]);
  });

  it('should find conversations by name, by phone typed in any format and by message text', async () => {
    const ids = async (q: string) =>
      (await app.get(`/api/comms/threads?q=${encodeURIComponent(q)}`)).body.items.map((t: any) => t.displayName);
    expect(await ids('oliver')).toEqual(['Oliver Bennett']);
    expect(await ids('+44 7700 900123')).toEqual(['Oliver Bennett']);
    expect(await ids('98765-0001')).toEqual(['Ana Souza']);
    expect(await ids('office instead')).toEqual(['Priya Sharma']);
  });

  it('should page the thread list with a cursor', async () => {
    const first = (await app.get('/api/comms/threads?limit=2')).body;
    expect(first.items).toHaveLength(2);
    const second = (await app.get(`/api/comms/threads?limit=2&cursor=${first.nextCursor}`)).body;
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((t: any) => t.id)).size).toBe(3);
  });

  it('should read numbers typed in national format with the tenant default country', async () => {
    const patched = await app.patch('/api/comms/settings', { defaultCountry: 'gb' });
    expect(patched.body).toEqual({ defaultCountry: 'GB' });
    const channelId = (await app.get('/api/comms/channels')).body[0].id;
    const res = await app.post('/api/comms/threads', {
      channelId,
      to: '07700 900123',
      body: 'Hello from the shop',
      clientMessageId: randomUUID(),
    });
    expect(res.status).toBe(202);
    expect(res.body.thread.address).toBe('+447700900123');
    const bad = await app.patch('/api/comms/settings', { defaultCountry: 'Britain' });
    expect(bad.status).toBe(400);
  });

  it('should page a long conversation backwards in chronological pages with no gap or overlap', async () => {
    const base = Math.floor(Date.now() / 1000) - 10_000;
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        // Delivered in any order; each carries its own timestamp, which decides its place.
        app.post('/api/comms/webhooks/mock', {
          event: 'message',
          id: `long-${i}`,
          from: '+5511900001111',
          name: 'Long',
          text: `line ${i}`,
          timestamp: base + i,
        }),
      ),
    );
    const count = async () =>
      Number((await app.sql<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE provider_message_id LIKE 'long-%'`))[0].n);
    const deadline = Date.now() + 15_000;
    while ((await count()) < 120 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const threadId = (await app.sql<{ thread_id: string }>(`SELECT thread_id FROM messages WHERE provider_message_id = 'long-0'`))[0]
      .thread_id;
    const bodies: string[] = [];
    let cursor = '';
    const pageSizes: number[] = [];
    for (;;) {
      const page = (await app.get(`/api/comms/threads/${threadId}/messages?limit=50${cursor ? `&cursor=${cursor}` : ''}`)).body;
      pageSizes.push(page.items.length);
      bodies.unshift(...page.items.map((m: any) => m.body));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(pageSizes).toEqual([50, 50, 20]);
    expect(bodies).toEqual(Array.from({ length: 120 }, (_, i) => `line ${i}`));
  });
});
