import { createHmac, randomUUID } from 'node:crypto';
import { FakeHttp } from './support/fake-http';
import { fixture, fixtureText } from './support/fixtures';
import { eventually, startTestApp, type RecordingSocket, type TestApp } from './support/test-app';

const HMAC_KEY = 'waha-hmac-demo-key';
const SESSION = '/api/sessions/support-in';
const CHAT = '919876543210@c.us';
const GAP_MS = 400;

/**
 * Per-channel pacing (a human-like minimum gap for an unofficial WhatsApp gateway), a provider
 * 429 that pauses the channel without losing the message, and the receipt poller asking the
 * provider about a message whose receipt webhook never came. Against a local WAHA.
 */
describe('Send pacing, 429 backoff and receipt polling (integration)', () => {
  let app: TestApp;
  let waha: FakeHttp;
  let socket: RecordingSocket;
  let threadId: string;
  let sendCount = 0;
  /** What WAHA answers for "get message by id", per serialized id. */
  const acks = new Map<string, number>();

  const sends = () => waha.callsTo('POST', '/api/sendText');
  const reply = (body: string) => app.post(`/api/comms/threads/${threadId}/messages`, { body, clientMessageId: randomUUID() });

  beforeAll(async () => {
    waha = await new FakeHttp((call) => {
      if (call.method === 'GET' && call.path === SESSION) return { status: 200, body: fixture('waha/connection_state_open.json') };
      if (call.method === 'PUT' && call.path === SESSION) return { status: 200, body: { name: 'support-in' } };
      if (call.method === 'POST' && call.path === '/api/sendText') {
        const id = `true_${CHAT}_SENT${++sendCount}`;
        return { status: 201, body: { id: { fromMe: true, remote: CHAT, id: `SENT${sendCount}`, _serialized: id } } };
      }
      const byId = /^\/api\/support-in\/chats\/([^/]+)\/messages\/([^/]+)$/.exec(call.path);
      if (call.method === 'GET' && byId) {
        const ack = acks.get(decodeURIComponent(byId[2]));
        return ack === undefined ? { status: 404, body: { message: 'not found' } } : { status: 200, body: { id: byId[2], ack } };
      }
      return { status: 404, body: { statusCode: 404, message: 'Not Found' } };
    }).start();
    app = await startTestApp({
      // The channel's own pacing applies (the test harness otherwise overrides it).
      COMMS_SEND_RATE_PER_SECOND: '',
      COMMS_SEND_MIN_GAP_MS: '',
      COMMS_SEND_JITTER_MS: '',
      COMMS_RECEIPT_POLL_MS: '300',
      COMMS_RECEIPT_POLL_SCHEDULE_MS: '1000,60000',
    });
    const created = await app.post('/api/comms/channels', {
      provider: 'waha',
      name: 'Support India',
      config: { baseUrl: waha.url, session: 'support-in', sendRatePerSecond: '5', sendMinGapMs: String(GAP_MS), sendJitterMs: '0' },
      secrets: { apiKey: 'waha-api-key', hmacKey: HMAC_KEY },
    });
    expect(created.status).toBe(201);
    socket = await app.socket();
    const raw = fixtureText('waha/inbound_text.json');
    const res = await app.postRaw('/api/comms/webhooks/waha', raw, {
      'x-webhook-hmac': createHmac('sha512', HMAC_KEY).update(raw).digest('hex'),
      'x-webhook-hmac-algorithm': 'sha512',
    });
    expect(res.status).toBe(200);
    threadId = (await eventually(async () => (await app.sql<{ id: string }>(`SELECT id FROM threads`))[0], 'thread')).id;
  });

  afterAll(async () => {
    await app?.close();
    await waha?.stop();
  });

  it('should leave at least the channel minimum gap between two sends, in the order written', async () => {
    const before = sends().length;
    for (const text of ['one', 'two', 'three', 'four']) expect((await reply(text)).status).toBe(202);
    const mine = await eventually(async () => (sends().length >= before + 4 ? sends().slice(before) : null), 'four sends', 15_000);
    expect(mine.map((c) => (c.body as { text: string }).text)).toEqual(['one', 'two', 'three', 'four']);
    for (let i = 1; i < mine.length; i++) {
      // The gap is measured where the requests arrive; allow 25 ms of transit jitter.
      expect(mine[i].at - mine[i - 1].at).toBeGreaterThanOrEqual(GAP_MS - 25);
    }
  });

  it('should pause the channel after a 429 and still send the message exactly once', async () => {
    waha.script('POST /api/sendText', { status: 429, body: { statusCode: 429, message: 'Too Many Requests' } });
    const before = sends().length;
    const res = await reply('after the rate limit');
    const sent = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent', 20_000);
    const attempts = sends().slice(before);
    expect(attempts.map((c) => (c.body as { text: string }).text)).toEqual(['after the rate limit', 'after the rate limit']);
    // The second attempt waited for the channel's pause (3 s), not just the job backoff (50 ms).
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(2900);
    const rows = await app.sql<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE body = 'after the rate limit'`);
    expect(rows[0].n).toBe(1);
    expect(sent.providerMessageId).toMatch(/^true_919876543210@c\.us_SENT\d+$/);
  });

  it('should ask the provider about a sent message whose receipt never came, and apply it once', async () => {
    const res = await reply('did this arrive?');
    const sent = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent', 15_000);
    acks.set(sent.providerMessageId!, 2);
    const delivered = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'delivered', 15_000);
    expect(delivered.providerMessageId).toBe(sent.providerMessageId);
    const asked = waha.calls.filter(
      (c) => c.method === 'GET' && c.path.endsWith(`/messages/${encodeURIComponent(sent.providerMessageId!)}`),
    );
    expect(asked.length).toBe(1);
    expect(asked[0].headers['x-api-key']).toBe('waha-api-key');
    expect(asked[0].path).toBe(`/api/support-in/chats/${encodeURIComponent(CHAT)}/messages/${encodeURIComponent(sent.providerMessageId!)}`);
    const [row] = await app.sql<{ status: string; receipt_polls: number }>(`SELECT status, receipt_polls FROM messages WHERE id = $1`, [
      res.body.id,
    ]);
    expect(row).toEqual({ status: 'delivered', receipt_polls: 1 });
  });

  it('should never move a status backwards from a poll', async () => {
    const res = await reply('read already');
    const sent = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent', 15_000);
    // The read receipt arrives by webhook; the provider's stale answer (ack 1 = sent) must not undo it.
    acks.set(sent.providerMessageId!, 1);
    const ack = { ...fixture<Record<string, any>>('waha/status_read.json') };
    ack.payload = { ...ack.payload, id: sent.providerMessageId, ack: 3, ackName: 'READ' };
    ack.id = `evt_${randomUUID()}`;
    const raw = JSON.stringify(ack);
    await app.postRaw('/api/comms/webhooks/waha', raw, {
      'x-webhook-hmac': createHmac('sha512', HMAC_KEY).update(raw).digest('hex'),
      'x-webhook-hmac-algorithm': 'sha512',
    });
    await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'read', 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    const [row] = await app.sql<{ status: string }>(`SELECT status FROM messages WHERE id = $1`, [res.body.id]);
    expect(row.status).toBe('read');
  });
});
