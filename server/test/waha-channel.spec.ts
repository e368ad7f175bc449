import { createHmac, randomUUID } from 'node:crypto';
import { FakeHttp } from './support/fake-http';
import { fixture, fixtureText } from './support/fixtures';
import { eventually, startTestApp, type RecordingSocket, type TestApp } from './support/test-app';

const HMAC_KEY = 'waha-hmac-demo-key';
const sign = (raw: string) => createHmac('sha512', HMAC_KEY).update(raw).digest('hex');

/** A WAHA channel end to end: signed webhooks in, sends out through a local server speaking WAHA's REST API. */
describe('WAHA channel (integration)', () => {
  let app: TestApp;
  let waha: FakeHttp;
  let socket: RecordingSocket;

  const post = (raw: string, signature: string | null = sign(raw)) =>
    app.postRaw('/api/comms/webhooks/waha', raw, signature ? { 'x-webhook-hmac': signature, 'x-webhook-hmac-algorithm': 'sha512' } : {});

  beforeAll(async () => {
    waha = await new FakeHttp((call) => {
      if (call.method === 'GET' && call.path === '/api/sessions/support-in')
        return { status: 200, body: fixture('waha/connection_state_open.json') };
      if (call.method === 'PUT' && call.path === '/api/sessions/support-in') return { status: 200, body: { name: 'support-in' } };
      if (call.method === 'POST' && call.path === '/api/sendText')
        return { status: 201, body: fixture('waha/send_text_response_webjs.json') };
      return { status: 404, body: { statusCode: 404, message: 'Not Found', error: 'Not Found' } };
    }).start();
    app = await startTestApp();
    const created = await app.post('/api/comms/channels', {
      provider: 'waha',
      name: 'Support India',
      config: { baseUrl: waha.url, session: 'support-in' },
      secrets: { apiKey: 'waha-api-key', hmacKey: HMAC_KEY },
    });
    expect(created.status).toBe(201);
    expect(created.body.test.ok).toBe(true);
    socket = await app.socket();
  });

  afterAll(async () => {
    await app?.close();
    await waha?.stop();
  });

  it('should check the session with X-Api-Key when the channel is created', () => {
    expect(waha.callsTo('GET', '/api/sessions/support-in')[0].headers['x-api-key']).toBe('waha-api-key');
  });

  it('should turn a signed inbound message into a thread and push it live', async () => {
    const res = await post(fixtureText('waha/inbound_text.json'));
    expect(res.status).toBe(200);
    const ev = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'false_919876543210@c.us_3A0B6E2D91C47F58A2E1');
    expect(ev.message).toMatchObject({ direction: 'inbound', body: 'Namaste! Has my order #IN-20931 shipped yet?' });
    expect(ev.thread).toMatchObject({ address: '+919876543210', displayName: 'Priya Sharma' });
  });

  it('should refuse a tampered or unsigned webhook with 401 and store nothing', async () => {
    const before = (await app.sql(`SELECT count(*)::int AS n FROM webhook_events`))[0].n;
    const raw = fixtureText('waha/inbound_text.json');
    expect((await post(raw, 'f'.repeat(128))).status).toBe(401);
    expect((await post(raw.replace('Namaste', 'Hacked'), sign(raw))).status).toBe(401);
    expect((await post(raw, null)).status).toBe(401);
    expect((await app.sql(`SELECT count(*)::int AS n FROM webhook_events`))[0].n).toBe(before);
  });

  it('should send a reply to the chat id with X-Api-Key and apply acks in any order', async () => {
    const threadId = (await app.get('/api/comms/threads')).body.items[0].id;
    const res = await app.post(`/api/comms/threads/${threadId}/messages`, {
      body: 'Hi Priya! Yes, #IN-20931 left our Bengaluru warehouse today.',
      clientMessageId: randomUUID(),
    });
    const sent = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent');
    expect(sent.providerMessageId).toBe('true_919876543210@c.us_3EB0F1C2A9D84B7E6051');
    const call = waha.callsTo('POST', '/api/sendText')[0];
    expect(call.headers['x-api-key']).toBe('waha-api-key');
    expect(call.body).toMatchObject({
      session: 'support-in',
      chatId: '919876543210@c.us',
      text: 'Hi Priya! Yes, #IN-20931 left our Bengaluru warehouse today.',
    });
    for (const file of ['waha/status_read.json', 'waha/status_delivered.json', 'waha/status_server.json']) {
      expect((await post(fixtureText(file))).status).toBe(200);
    }
    await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'read');
    await eventually(async () => (await app.sql(`SELECT 1 FROM webhook_events WHERE state = 'pending'`)).length === 0, 'acks processed');
    const [row] = await app.sql(`SELECT status FROM messages WHERE id = $1`, [res.body.id]);
    expect(row.status).toBe('read');
  });

  it('should not double our own send when WAHA echoes it in message.any', async () => {
    const echo = JSON.stringify({
      event: 'message.any',
      session: 'support-in',
      payload: {
        id: 'true_919876543210@c.us_3EB0F1C2A9D84B7E6051',
        timestamp: 1763647422,
        from: '919876543210@c.us',
        fromMe: true,
        source: 'api',
        body: 'Hi Priya! Yes, #IN-20931 left our Bengaluru warehouse today.',
        hasMedia: false,
        ack: 1,
      },
    });
    expect((await post(echo)).status).toBe(200);
    await eventually(async () => (await app.sql(`SELECT 1 FROM webhook_events WHERE state = 'pending'`)).length === 0, 'echo processed');
    const rows = await app.sql(`SELECT id FROM messages WHERE body LIKE 'Hi Priya!%'`);
    expect(rows).toHaveLength(1);
  });

  it('should ignore a group message and store a message typed on the phone as device', async () => {
    await post(fixtureText('waha/group_message.json'));
    await post(fixtureText('waha/from_me_echo.json'));
    const row = await eventually(
      async () =>
        (
          await app.sql(`SELECT direction, origin FROM messages WHERE provider_message_id = 'true_447700900123@c.us_3AF0C1E3A5B7D9F2B4D6'`)
        )[0],
      'device message',
    );
    expect(row).toEqual({ direction: 'outbound', origin: 'device' });
    const groups = await app.sql(`SELECT 1 FROM threads WHERE address LIKE '%@g.us%'`);
    expect(groups).toHaveLength(0);
  });
});
