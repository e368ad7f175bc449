import { createHmac, randomBytes } from 'node:crypto';
import { EVOLUTION_WEBHOOK_EVENTS } from '../src/providers/evolution/evolution.provider';
import { WAHA_WEBHOOK_EVENTS } from '../src/providers/waha/waha.provider';
import { createEvolutionChannel, WEBHOOK_TOKEN } from './support/channels';
import { FakeEvolution } from './support/fake-evolution';
import { FakeHttp, type FakeReply } from './support/fake-http';
import { fixture } from './support/fixtures';
import { eventually, startTestApp, type RecordingSocket, type TestApp } from './support/test-app';

const PUBLIC_BASE_URL = 'https://inbox.example.com';
const HMAC_KEY = 'waha-hmac-demo-key';
/** A tiny PNG, as WAHA answers GET /api/{session}/auth/qr?format=image. */
const QR_PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(300)]);
const QR_DATA_URL = `data:image/png;base64,${QR_PNG.toString('base64')}`;
const OTHER_HOOK = fixture('waha/connection_state_open.json').config.webhooks[0];

/**
 * Channel administration: the connection test (state pushed live as channel_updated, the QR
 * code while pairing, re-authentication when the key is refused), the end-to-end loop test
 * whose ticks arrive like any message's, and webhook registration.
 */
describe('Channel admin: connection tests and webhook registration (integration)', () => {
  let app: TestApp;
  let waha: FakeHttp;
  let evolution: FakeEvolution;
  let socket: RecordingSocket;
  let wahaId: string;
  /** What the fake WAHA session is doing now. */
  let mode: 'working' | 'qr' | 'refused' = 'working';
  /** The session's config as WAHA stores it (PUT /api/sessions/{session} replaces it). */
  let sessionConfig: Record<string, unknown> = { metadata: { tenant: 'acme-in' }, webhooks: [OTHER_HOOK] };
  let sendSeq = 0;

  const test = (id: string, body: unknown = {}) => app.post(`/api/comms/channels/${id}/test`, body);
  /** The channel as pushed by a channel_updated recorded after `since` (an index into the events) in this state. */
  const channelUpdate = (id: string, since: number, state: string) =>
    eventually(
      async () =>
        socket.events.slice(since).find((e) => e.type === 'channel_updated' && e.data.channel.id === id && e.data.channel.state === state)
          ?.data.channel,
      `channel_updated ${state}`,
    );
  const postWaha = (body: unknown) => {
    const raw = JSON.stringify(body);
    return app.postRaw('/api/comms/webhooks/waha', raw, {
      'x-webhook-hmac': createHmac('sha512', HMAC_KEY).update(raw).digest('hex'),
      'x-webhook-hmac-algorithm': 'sha512',
    });
  };

  beforeAll(async () => {
    waha = await new FakeHttp((call): FakeReply => {
      if (call.headers['x-api-key'] !== 'waha-api-key' || mode === 'refused') {
        return { status: 401, body: { message: 'Unauthorized', statusCode: 401 } };
      }
      if (call.method === 'GET' && call.path === '/api/sessions/support-in') {
        if (mode === 'qr') return { status: 200, body: { name: 'support-in', status: 'SCAN_QR_CODE', config: sessionConfig, me: null } };
        return { status: 200, body: { ...fixture<Record<string, unknown>>('waha/connection_state_open.json'), config: sessionConfig } };
      }
      if (call.method === 'PUT' && call.path === '/api/sessions/support-in') {
        sessionConfig = call.body.config;
        return { status: 200, body: { name: 'support-in', config: sessionConfig } };
      }
      if (call.method === 'GET' && call.path === '/api/support-in/auth/qr' && call.query.get('format') === 'image') {
        return mode === 'qr'
          ? { status: 200, body: null, bytes: QR_PNG, contentType: 'image/png' }
          : { status: 422, body: { error: 'Session status is not as expected', status: 'WORKING', expected: ['SCAN_QR_CODE'] } };
      }
      if (call.method === 'POST' && call.path === '/api/sendText') {
        const id = `3EB0${String(++sendSeq).padStart(16, '0')}`;
        return {
          status: 201,
          body: { id: { fromMe: true, remote: call.body.chatId, id, _serialized: `true_${call.body.chatId}_${id}` }, ack: 0 },
        };
      }
      return { status: 404, body: { statusCode: 404, message: 'Not Found', error: 'Not Found' } };
    }).start();
    evolution = await new FakeEvolution().start();
    app = await startTestApp({ PUBLIC_BASE_URL });
    socket = await app.socket();
    const created = await app.post('/api/comms/channels', {
      provider: 'waha',
      name: 'Support India',
      config: { baseUrl: waha.url, session: 'support-in' },
      secrets: { apiKey: 'waha-api-key', hmacKey: HMAC_KEY },
    });
    expect(created.status).toBe(201);
    wahaId = created.body.id;
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([waha?.stop(), evolution?.stop()]);
  });

  describe('POST /api/comms/channels/:id/test', () => {
    it('should report a WORKING session as connected with its number, and push it', async () => {
      mode = 'working';
      const since = socket.events.length;
      const res = await test(wahaId);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ok: true,
        checks: [
          {
            name: 'connection',
            ok: true,
            detail: 'session status: WORKING, account +919812300000',
            state: 'connected',
            qr: null,
            address: '+919812300000',
          },
          expect.objectContaining({ name: 'webhook', ok: true }),
        ],
        latencyMs: expect.any(Number),
      });
      const pushed = await channelUpdate(wahaId, since, 'connected');
      expect(pushed).toMatchObject({ id: wahaId, state: 'connected', address: '+919812300000', needsReauth: false, qr: null });
    });

    it('should show the pairing QR as a PNG data URL while the session waits for a scan', async () => {
      mode = 'qr';
      const since = socket.events.length;
      const res = await test(wahaId);
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.checks[0]).toEqual({
        name: 'connection',
        ok: false,
        detail: 'session status: SCAN_QR_CODE',
        state: 'qr_required',
        qr: QR_DATA_URL,
        address: null,
      });
      const qrCall = waha.callsTo('GET', '/api/support-in/auth/qr').at(-1)!;
      expect(qrCall.query.get('format')).toBe('image');
      expect(qrCall.headers['x-api-key']).toBe('waha-api-key');
      const pushed = await channelUpdate(wahaId, since, 'qr_required');
      expect(pushed).toMatchObject({ id: wahaId, state: 'qr_required', needsReauth: true, qr: QR_DATA_URL });
      expect((await app.get(`/api/comms/channels/${wahaId}`)).body).toMatchObject({ state: 'qr_required', qr: QR_DATA_URL });
    });

    it('should mark a refused API key as needs_reauth, without the old QR code', async () => {
      mode = 'refused';
      const since = socket.events.length;
      const res = await test(wahaId);
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.checks).toEqual([
        { name: 'connection', ok: false, detail: expect.stringContaining('WAHA 401'), state: 'needs_reauth' },
      ]);
      const pushed = await channelUpdate(wahaId, since, 'needs_reauth');
      expect(pushed).toMatchObject({ id: wahaId, state: 'needs_reauth', needsReauth: true, qr: null });
      expect((await app.get(`/api/comms/channels/${wahaId}`)).body).toMatchObject({ state: 'needs_reauth', needsReauth: true, qr: null });
    });

    it('should come back to connected, clearing the flag, once the session works again', async () => {
      mode = 'working';
      const since = socket.events.length;
      expect((await test(wahaId)).body.ok).toBe(true);
      const pushed = await channelUpdate(wahaId, since, 'connected');
      expect(pushed).toMatchObject({ state: 'connected', needsReauth: false, qr: null, address: '+919812300000' });
    });

    it('should show an Evolution instance waiting for a scan as qr_required with its QR', async () => {
      const channel = await createEvolutionChannel(app, evolution);
      evolution.state = 'close';
      evolution.script('/instance/connect/acme-br', {
        status: 200,
        body: { pairingCode: null, code: '2@qrpayload', base64: QR_DATA_URL, count: 1 },
      });
      const since = socket.events.length;
      const res = await test(channel.id);
      expect(res.body.checks[0]).toEqual({
        name: 'connection',
        ok: false,
        detail: 'instance state: close — scan the QR code with WhatsApp on the business phone',
        state: 'qr_required',
        qr: QR_DATA_URL,
      });
      expect(await channelUpdate(channel.id, since, 'qr_required')).toMatchObject({ state: 'qr_required', qr: QR_DATA_URL });
      evolution.state = 'open';
      const again = socket.events.length;
      expect((await test(channel.id)).body.ok).toBe(true);
      expect(await channelUpdate(channel.id, again, 'connected')).toMatchObject({ state: 'connected', qr: null, needsReauth: false });
    });
  });

  describe('loop test', () => {
    it('should start a conversation with a test message whose ticks follow live', async () => {
      mode = 'working';
      const res = await test(wahaId, { loopTo: '+15551234567' });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.loop).toEqual({ messageId: expect.any(String), threadId: expect.any(String) });
      expect(res.body.checks.at(-1)).toEqual({
        name: 'loop',
        ok: true,
        detail: 'test message queued to +15551234567; its ticks follow live',
      });
      const { messageId, threadId } = res.body.loop;
      const created = await socket.waitFor('new_message', (d) => d.message.id === messageId);
      expect(created.thread).toMatchObject({ id: threadId, address: '+15551234567' });
      expect(created.message.body).toMatch(/^Switchboard connection test \(.+\)\. You can ignore this message\.$/);

      const sent = await socket.waitFor('status_update', (d) => d.messageId === messageId && d.status === 'sent');
      const call = waha.callsTo('POST', '/api/sendText').at(-1)!;
      expect(call.body).toMatchObject({ session: 'support-in', chatId: '15551234567@c.us', text: created.message.body });
      expect(sent.providerMessageId).toBe(`true_15551234567@c.us_3EB0${String(sendSeq).padStart(16, '0')}`);

      const ack = fixture('waha/status_delivered.json');
      ack.id = `evt_loop_${messageId}`;
      ack.payload = { id: sent.providerMessageId, from: '15551234567@c.us', fromMe: true, ack: 2, ackName: 'DEVICE' };
      expect((await postWaha(ack)).status).toBe(200);
      const delivered = await socket.waitFor('status_update', (d) => d.messageId === messageId && d.status === 'delivered');
      expect(delivered).toMatchObject({ threadId, providerMessageId: sent.providerMessageId });
      const order = socket.events.filter((e) => e.type === 'status_update' && e.data.messageId === messageId).map((e) => e.data.status);
      expect(order).toEqual(['sent', 'delivered']);
    });

    it('should send nothing and explain why when the connection check fails', async () => {
      mode = 'refused';
      const sends = waha.callsTo('POST', '/api/sendText').length;
      const messages = (await app.sql(`SELECT count(*)::int AS n FROM messages`))[0].n;
      const res = await test(wahaId, { loopTo: '+15551234567' });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.loop).toBeNull();
      expect(res.body.checks.at(-1)).toEqual({ name: 'loop', ok: false, detail: 'not sent: the connection check failed' });
      await new Promise((r) => setTimeout(r, 200));
      expect(waha.callsTo('POST', '/api/sendText')).toHaveLength(sends);
      expect((await app.sql(`SELECT count(*)::int AS n FROM messages`))[0].n).toBe(messages);
      mode = 'working';
    });

    it('should report a number it cannot use as a failed loop check', async () => {
      mode = 'working';
      const res = await test(wahaId, { loopTo: 'not a number' });
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(false);
      expect(res.body.loop).toBeNull();
      expect(res.body.checks.at(-1)).toMatchObject({
        name: 'loop',
        ok: false,
        detail: expect.stringContaining('"not a number" is not a valid phone number'),
      });
    });
  });

  describe('POST /api/comms/channels/:id/webhook', () => {
    it("should register Evolution's webhook with webhook/set and answer the test result", async () => {
      const channel = (await app.get('/api/comms/channels')).body.find((c: { provider: string }) => c.provider === 'evolution');
      const before = evolution.requests.filter((r) => r.path === '/webhook/set/acme-br').length;
      const res = await app.post(`/api/comms/channels/${channel.id}/webhook`, {});
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ok: true,
        checks: [
          expect.objectContaining({ name: 'connection', ok: true, state: 'connected' }),
          { name: 'webhook', ok: true, detail: `webhook registered: ${PUBLIC_BASE_URL}/api/comms/webhooks/evolution` },
        ],
        latencyMs: expect.any(Number),
      });
      const calls = evolution.requests.filter((r) => r.path === '/webhook/set/acme-br');
      expect(calls).toHaveLength(before + 1);
      expect(calls.at(-1)!.method).toBe('POST');
      expect(calls.at(-1)!.headers.apikey).toBe('evo-api-key');
      expect(calls.at(-1)!.body).toEqual({
        webhook: {
          enabled: true,
          url: `${PUBLIC_BASE_URL}/api/comms/webhooks/evolution`,
          headers: { 'x-inbox-token': WEBHOOK_TOKEN },
          byEvents: false,
          base64: false,
          events: EVOLUTION_WEBHOOK_EVENTS,
        },
      });
    });

    it("should add WAHA's webhook to the session config, keep the rest, and not restart the session once it is there", async () => {
      mode = 'working';
      // The session as someone else configured it: another webhook and metadata, not ours.
      sessionConfig = { metadata: { tenant: 'acme-in' }, webhooks: [OTHER_HOOK] };
      const puts = waha.callsTo('PUT', '/api/sessions/support-in').length;
      const res = await app.post(`/api/comms/channels/${wahaId}/webhook`, {});
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.checks[1]).toEqual({
        name: 'webhook',
        ok: true,
        detail: `webhook registered: ${PUBLIC_BASE_URL}/api/comms/webhooks/waha`,
      });
      const put = waha.callsTo('PUT', '/api/sessions/support-in');
      expect(put).toHaveLength(puts + 1);
      expect(put.at(-1)!.headers['x-api-key']).toBe('waha-api-key');
      expect(put.at(-1)!.body).toEqual({
        config: {
          metadata: { tenant: 'acme-in' },
          webhooks: [
            OTHER_HOOK,
            {
              url: `${PUBLIC_BASE_URL}/api/comms/webhooks/waha`,
              events: WAHA_WEBHOOK_EVENTS,
              hmac: { key: HMAC_KEY },
              retries: { policy: 'exponential', delaySeconds: 2, attempts: 10 },
            },
          ],
        },
      });
      // PUT restarts a running session: with our webhook in place, registering again changes nothing.
      const again = await app.post(`/api/comms/channels/${wahaId}/webhook`, {});
      expect(again.body.checks[1]).toEqual({
        name: 'webhook',
        ok: true,
        detail: `webhook already registered: ${PUBLIC_BASE_URL}/api/comms/webhooks/waha`,
      });
      expect(waha.callsTo('PUT', '/api/sessions/support-in')).toHaveLength(puts + 1);
    });

    it('should answer 400 naming the callback URL to paste for a Meta channel', async () => {
      const graph = await new FakeHttp(() => ({ status: 200, body: fixture('meta/connection_state_open.json') })).start();
      try {
        const created = await app.post('/api/comms/channels', {
          provider: 'meta',
          name: 'Acme US',
          config: { phoneNumberId: '109876543210987', graphBaseUrl: `${graph.url}/v23.0` },
          secrets: { accessToken: 'EAAG-test-token', appSecret: 'meta-app-secret-demo', verifyToken: 'verify-me' },
        });
        expect(created.status).toBe(201);
        const calls = graph.calls.length;
        const res = await app.post(`/api/comms/channels/${created.body.id}/webhook`, {});
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: `meta webhooks cannot be registered from here: paste ${PUBLIC_BASE_URL}/api/comms/webhooks/meta into the provider's console`,
        });
        expect(graph.calls).toHaveLength(calls);
      } finally {
        await graph.stop();
      }
    });

    it('should answer 404 for an unknown channel', async () => {
      const res = await app.post('/api/comms/channels/00000000-0000-4000-8000-000000000000/webhook', {});
      expect(res.status).toBe(404);
      expect((await test('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });
  });
});
