import { createHmac, randomUUID } from 'node:crypto';
import { FakeHttp } from './support/fake-http';
import { fixture, fixtureText } from './support/fixtures';
import { eventually, startTestApp, type RecordingSocket, type TestApp } from './support/test-app';

const APP_SECRET = 'meta-app-secret-demo';
const VERIFY_TOKEN = 'acme-verify-token-7f3c';
const PHONE_NUMBER_ID = '109876543210987';
const sign = (raw: string) => `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`;

/** A Meta Cloud API channel end to end against a local server speaking the Graph API. */
describe('Meta WhatsApp Cloud API channel (integration)', () => {
  let app: TestApp;
  let graph: FakeHttp;
  let socket: RecordingSocket;
  let created: { status: number; body: { id: string } };

  const post = (raw: string, signature: string | null = sign(raw)) =>
    app.postRaw('/api/comms/webhooks/meta', raw, signature ? { 'x-hub-signature-256': signature } : {});

  beforeAll(async () => {
    graph = await new FakeHttp((call) => {
      if (call.method === 'GET' && call.path === `/v23.0/${PHONE_NUMBER_ID}`)
        return { status: 200, body: fixture('meta/connection_state_open.json') };
      if (call.method === 'POST' && call.path === `/v23.0/${PHONE_NUMBER_ID}/messages`)
        return { status: 200, body: fixture('meta/send_text_response.json') };
      return { status: 404, body: { error: { message: 'Unknown path', type: 'OAuthException', code: 803 } } };
    }).start();
    app = await startTestApp();
    created = await app.post('/api/comms/channels', {
      provider: 'meta',
      name: 'Acme US',
      config: { phoneNumberId: PHONE_NUMBER_ID, graphBaseUrl: `${graph.url}/v23.0` },
      secrets: { accessToken: 'EAAG-test-token', appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
    });
    expect(created.status).toBe(201);
    socket = await app.socket();
  });

  afterAll(async () => {
    await app?.close();
    await graph?.stop();
  });

  it('should answer the verification handshake with the bare challenge only for the right token', async () => {
    const ok = await fetch(
      `${app.url}/api/comms/webhooks/meta?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(
      `${app.url}/api/comms/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1158201444`,
    );
    expect(wrong.status).toBe(403);
  });

  it('should accept a message signed over the raw bytes and push it live', async () => {
    const res = await post(fixtureText('meta/inbound_text.json'));
    expect(res.status).toBe(200);
    const ev = await socket.waitFor(
      'new_message',
      (d) => d.message.providerMessageId === 'wamid.HBgLMTIwMjU1NTAxNDMVAgASGBQ4RkY5REJGRjk5M0RFMDdGODlBOQA=',
    );
    expect(ev.message.body).toBe('Hi! Does the blue jacket come in size M?');
    expect(ev.thread).toMatchObject({ address: '+12025550143', displayName: 'Emily Carter' });
  });

  it('should refuse a tampered or unsigned POST with 401', async () => {
    const raw = fixtureText('meta/inbound_text.json');
    expect((await post(raw.replace('size M', 'size L'), sign(raw))).status).toBe(401);
    expect((await post(raw, null)).status).toBe(401);
  });

  it('should refuse free text with window_closed when the customer last wrote more than 24 hours ago', async () => {
    // The fixture's message is from 2025: the customer-service window is long closed.
    const threadId = (await app.get('/api/comms/threads')).body.items[0].id;
    const res = await app.post(`/api/comms/threads/${threadId}/messages`, { body: 'Still there?', clientMessageId: randomUUID() });
    expect(res.status).toBe(422);
    expect(res.body.message).toMatch(/^window_closed: /);
    expect(graph.callsTo('POST', `/v23.0/${PHONE_NUMBER_ID}/messages`)).toHaveLength(0);
    expect(await app.sql(`SELECT 1 FROM messages WHERE body = 'Still there?'`)).toHaveLength(0);
  });

  it('should send with the Bearer token and apply a batched POST of statuses', async () => {
    // A fresh message from the customer opens the 24-hour window.
    const fresh = fixture('meta/inbound_text.json');
    fresh.entry[0].changes[0].value.messages[0].id = 'wamid.FRESH-1';
    fresh.entry[0].changes[0].value.messages[0].timestamp = String(Math.floor(Date.now() / 1000));
    await post(JSON.stringify(fresh));
    const { threadId } = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'wamid.FRESH-1');
    const res = await app.post(`/api/comms/threads/${threadId}/messages`, {
      body: 'Yes, size M is in stock.',
      clientMessageId: randomUUID(),
    });
    const sent = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent');
    const call = graph.callsTo('POST', `/v23.0/${PHONE_NUMBER_ID}/messages`)[0];
    expect(call.headers.authorization).toBe('Bearer EAAG-test-token');
    expect(call.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: '12025550143',
      type: 'text',
      text: { body: 'Yes, size M is in stock.' },
    });
    // One POST carrying read then delivered (Meta batches and does not order): read wins.
    const status = (s: string) => ({ id: sent.providerMessageId, status: s, timestamp: '1763647500', recipient_id: '12025550143' });
    const batched = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102938475610293',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '12025550100', phone_number_id: PHONE_NUMBER_ID },
                statuses: [status('read'), status('delivered')],
              },
            },
          ],
        },
      ],
    });
    expect((await post(batched)).status).toBe(200);
    await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'read');
    await eventually(
      async () => (await app.sql(`SELECT 1 FROM webhook_events WHERE state = 'pending'`)).length === 0,
      'statuses processed',
    );
    const [row] = await app.sql(`SELECT status FROM messages WHERE id = $1`, [res.body.id]);
    expect(row.status).toBe('read');
  });

  it('should ignore a group message without touching a thread', async () => {
    const before = (await app.sql(`SELECT count(*)::int AS n FROM threads`))[0].n;
    const res = await post(fixtureText('meta/group_message.json'));
    expect(res.status).toBe(200);
    await eventually(async () => (await app.sql(`SELECT 1 FROM webhook_events WHERE state = 'pending'`)).length === 0, 'group processed');
    expect((await app.sql(`SELECT count(*)::int AS n FROM threads`))[0].n).toBe(before);
  });

  it('should apply every number of a POST batching two of our Meta channels, each to its own channel', async () => {
    const SECOND = '109876543210988';
    graph.script(`GET /v23.0/${SECOND}`, {
      status: 200,
      body: { ...fixture<Record<string, unknown>>('meta/connection_state_open.json'), id: SECOND },
    });
    const second = await app.post('/api/comms/channels', {
      provider: 'meta',
      name: 'Acme UK',
      config: { phoneNumberId: SECOND, graphBaseUrl: `${graph.url}/v23.0` },
      secrets: { accessToken: 'EAAG-test-token', appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
    });
    expect(second.status).toBe(201);
    const change = (phoneNumberId: string, id: string, from: string, text: string) => ({
      field: 'messages',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '12025550100', phone_number_id: phoneNumberId },
        contacts: [{ profile: { name: `Customer ${from}` }, wa_id: from }],
        messages: [{ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
      },
    });
    const batched = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        { id: '102938475610293', changes: [change(PHONE_NUMBER_ID, 'wamid.BATCH-US', '12025550177', 'to the US number')] },
        { id: '102938475610293', changes: [change(SECOND, 'wamid.BATCH-UK', '447700900123', 'to the UK number')] },
      ],
    });
    expect((await post(batched)).status).toBe(200);
    const us = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'wamid.BATCH-US');
    const uk = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'wamid.BATCH-UK');
    expect(us.thread.channelId).toBe(created.body.id);
    expect(uk.thread.channelId).toBe(second.body.id);
    // Meta delivers again: neither message is doubled.
    expect((await post(batched)).status).toBe(200);
    await eventually(async () => (await app.sql(`SELECT 1 FROM webhook_events WHERE state = 'pending'`)).length === 0, 'processed');
    const rows = await app.sql(`SELECT count(*)::int AS n FROM messages WHERE provider_message_id IN ('wamid.BATCH-US', 'wamid.BATCH-UK')`);
    expect(rows[0].n).toBe(2);
  });
});
