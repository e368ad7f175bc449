import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeHttp, type RecordedCall } from './support/fake-http';
import { eventually, startTestApp, type RecordingSocket, type TestApp } from './support/test-app';

const TESTDATA = join(__dirname, '../src/providers/android-sms/testdata');
const fixture = (file: string): any => JSON.parse(readFileSync(join(TESTDATA, file), 'utf8'));

const DEVICE_ID = 'ffffffffceb0b1db0000018e937c815b';
const SIGNING_KEY = 'phone-signing-key-for-tests';
const BASIC = `Basic ${Buffer.from('sms:phone-password').toString('base64')}`;
const IDLE_MS = 1200;
const DAY_MS = 86_400_000;

let envelopeSeq = 0;
/** A webhook as the phone sends it: a fresh envelope id per emission (NanoId in the app). */
function webhook(event: string, payload: Record<string, unknown>, id = `env-${++envelopeSeq}`): string {
  return JSON.stringify({ deviceId: DEVICE_ID, event, id, payload, webhookId: 'LreFUt-Z3sSq0JufY9uWB' });
}

function received(sender: string, messageId: string, message: string, recipient: string | null = '+16505550100'): string {
  return webhook('sms:received', {
    messageId,
    message,
    sender,
    recipient,
    phoneNumber: sender,
    simNumber: 1,
    receivedAt: '2026-02-17T12:00:00.000+00:00',
  });
}

function statusHook(event: 'sms:sent' | 'sms:delivered' | 'sms:failed', messageId: string, extra: Record<string, unknown> = {}): string {
  return webhook(event, { messageId, phoneNumber: '+16505551212', recipient: '+16505551212', simNumber: 1, ...extra });
}

/** X-Signature = hex HMAC-SHA256(key, body + X-Timestamp), as PayloadSingingPlugin.kt signs. */
function signed(raw: string, key = SIGNING_KEY, timestamp = String(Math.floor(Date.now() / 1000))): Record<string, string> {
  return {
    'x-timestamp': timestamp,
    'x-signature': createHmac('sha256', key)
      .update(raw + timestamp)
      .digest('hex'),
  };
}

/** The phone's Local Server API: webhooks registrations kept, sends accepted, exports recorded. */
function fakePhone(): FakeHttp {
  const registered: { id: string; url: string; event: string }[] = [];
  return new FakeHttp((call: RecordedCall) => {
    const route = `${call.method} ${call.path}`;
    if (route === 'GET /health') return { status: 200, body: fixture('health_pass.json') };
    if (call.headers.authorization !== BASIC) return { status: 401, body: { message: 'Unauthorized' } };
    if (route === 'GET /device') return { status: 200, body: [{ id: DEVICE_ID, name: 'Google/sdk_gphone64' }] };
    if (route === 'GET /webhooks') return { status: 200, body: registered };
    if (route === 'POST /webhooks') {
      const i = registered.findIndex((w) => w.id === call.body.id);
      if (i >= 0) registered.splice(i, 1);
      registered.push({ id: call.body.id, url: call.body.url, event: call.body.event });
      return { status: 201, body: { ...call.body, deviceId: null, source: 'Local' } };
    }
    if (route === 'POST /message') {
      return { status: 202, body: { ...fixture('send_message_response.json'), id: call.body.id } };
    }
    if (route === 'POST /messages/inbox/export') return { status: 202, body: {} };
    return { status: 404, body: { message: 'Not Found' } };
  });
}

/** An Android phone as an SMS channel end to end: signed webhooks in, sends and history through its local API. */
describe('Android SMS gateway channel (integration)', () => {
  let app: TestApp;
  let phone: FakeHttp;
  let socket: RecordingSocket;
  let channelId: string;

  const post = (raw: string, headers: Record<string, string> | null = signed(raw)) =>
    app.postRaw('/api/comms/webhooks/android_sms', raw, headers ?? {});
  const count = async (sql: string, params: unknown[] = []) => (await app.sql<{ n: number }>(sql, params))[0].n;
  const settled = () =>
    eventually(async () => (await app.sql(`SELECT 1 FROM webhook_events WHERE state = 'pending'`)).length === 0, 'webhooks ingested');

  beforeAll(async () => {
    phone = await fakePhone().start();
    app = await startTestApp({ COMMS_HISTORY_SYNC_IDLE_MS: String(IDLE_MS), COMMS_DEFAULT_COUNTRY_CODE: 'US' });
    socket = await app.socket();
    const created = await app.post('/api/comms/channels', {
      provider: 'android_sms',
      name: 'Front desk phone',
      config: { baseUrl: phone.url, deviceId: DEVICE_ID, username: 'sms' },
      secrets: { password: 'phone-password', signingKey: SIGNING_KEY },
    });
    expect(created.status).toBe(201);
    channelId = created.body.id;
  });

  afterAll(async () => {
    await app?.close();
    await phone?.stop();
  });

  it('should register our webhook for each event and show the channel connected when it is created', async () => {
    const channel = (await app.get(`/api/comms/channels/${channelId}`)).body;
    expect(channel).toMatchObject({ state: 'connected', needsReauth: false });
    const callback = channel.callbackUrl as string;
    expect(callback).toMatch(/\/api\/comms\/webhooks\/android_sms$/);
    const registrations = phone.callsTo('POST', '/webhooks').map((c) => [c.body.event, c.body.url]);
    expect(registrations).toEqual(
      ['sms:received', 'sms:sent', 'sms:delivered', 'sms:failed', 'system:ping'].map((event) => [event, callback]),
    );
    expect(phone.callsTo('GET', '/health')[0].headers.authorization).toBeUndefined();
  });

  it('should not register anything twice when the channel is tested again', async () => {
    const before = phone.callsTo('POST', '/webhooks').length;
    const res = await app.post(`/api/comms/channels/${channelId}/test`, {});
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(phone.callsTo('POST', '/webhooks')).toHaveLength(before);
  });

  it('should turn a signed sms:received into a thread and push it live', async () => {
    const res = await post(received('+16505551212', '5d1e2f3a', 'Android is always a sweet treat!'));
    expect(res.status).toBe(200);
    const ev = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'rx:+16505551212:5d1e2f3a');
    expect(ev.message).toMatchObject({ direction: 'inbound', kind: 'text', body: 'Android is always a sweet treat!' });
    expect(ev.message.sentAt).toBe('2026-02-17T12:00:00.000Z');
    expect(ev.thread).toMatchObject({ address: '+16505551212', channelId });
  });

  it('should read a national-format sender in the default country when the SIM number is unknown', async () => {
    await post(received('6505551234', 'aa11bb22', 'Are you open on Sunday?', null));
    const ev = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'rx:+16505551234:aa11bb22');
    expect(ev.thread.address).toBe('+16505551234');
  });

  it('should refuse tampered, unsigned, wrongly keyed and stale webhooks with 401 and store nothing', async () => {
    const before = await count(`SELECT count(*)::int AS n FROM webhook_events`);
    const raw = received('+16505551212', 'deadbeef', 'Hello');
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await post(raw.replace('Hello', 'Hacked'), signed(raw))).status).toBe(401);
    expect((await post(raw, null)).status).toBe(401);
    expect((await post(raw, signed(raw, 'not-the-key'))).status).toBe(401);
    expect((await post(raw, signed(raw, SIGNING_KEY, stale))).status).toBe(401);
    expect(await count(`SELECT count(*)::int AS n FROM webhook_events`)).toBe(before);
    expect(await count(`SELECT count(*)::int AS n FROM messages WHERE provider_message_id = 'rx:+16505551212:deadbeef'`)).toBe(0);
  });

  it('should answer 404 for a device no channel has', async () => {
    const raw = JSON.stringify({ deviceId: 'unknown-device', event: 'sms:received', id: 'x1', payload: {} });
    expect((await post(raw)).status).toBe(404);
  });

  it('should store a webhook delivered twice once, and the same SMS re-sent under a new envelope as one message', async () => {
    const raw = received('+16505551299', 'c0ffee01', 'Twice?');
    const first = await post(raw);
    const again = await post(raw);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body.duplicate).toBe(true);
    expect((await post(received('+16505551299', 'c0ffee01', 'Twice?'))).body.duplicate).toBe(false);
    await settled();
    expect(await count(`SELECT count(*)::int AS n FROM messages WHERE provider_message_id = 'rx:+16505551299:c0ffee01'`)).toBe(1);
  });

  describe('replies', () => {
    let threadId: string;

    beforeAll(async () => {
      threadId = (await app.sql<{ id: string }>(`SELECT id FROM threads WHERE address = '+16505551212'`))[0].id;
    });

    const reply = async (body: string) => {
      const res = await app.post(`/api/comms/threads/${threadId}/messages`, { body, clientMessageId: randomUUID() });
      expect(res.status).toBe(202);
      const sent = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent');
      return { id: res.body.id as string, providerMessageId: sent.providerMessageId as string };
    };

    it('should send through POST /message and apply sms:delivered and sms:sent in any order', async () => {
      const msg = await reply('Hi! Your order shipped today.');
      const call = phone.callsTo('POST', '/message').find((c) => c.body.id === msg.providerMessageId)!;
      expect(call.headers.authorization).toBe(BASIC);
      expect(call.body).toEqual({
        id: msg.providerMessageId,
        deviceId: DEVICE_ID,
        textMessage: { text: 'Hi! Your order shipped today.' },
        phoneNumbers: ['+16505551212'],
        withDeliveryReport: true,
      });
      expect(
        (await post(statusHook('sms:delivered', msg.providerMessageId, { deliveredAt: '2026-02-17T12:01:09.000+00:00' }))).status,
      ).toBe(200);
      expect((await post(statusHook('sms:sent', msg.providerMessageId, { sentAt: '2026-02-17T12:01:02.000+00:00' }))).status).toBe(200);
      await socket.waitFor('status_update', (d) => d.messageId === msg.id && d.status === 'delivered');
      await settled();
      const [row] = await app.sql(`SELECT status FROM messages WHERE id = $1`, [msg.id]);
      expect(row.status).toBe('delivered');
    });

    it('should mark a message failed with the reason the phone gives', async () => {
      const msg = await reply('Are you there?');
      await post(statusHook('sms:failed', msg.providerMessageId, { reason: 'Send result: RESULT_ERROR_GENERIC_FAILURE' }));
      const ev = await socket.waitFor('status_update', (d) => d.messageId === msg.id && d.status === 'failed');
      expect(ev.error).toMatchObject({ message: 'Send result: RESULT_ERROR_GENERIC_FAILURE' });
      const [row] = await app.sql(`SELECT status, error FROM messages WHERE id = $1`, [msg.id]);
      expect(row.status).toBe('failed');
      expect(row.error).toMatchObject({ message: 'Send result: RESULT_ERROR_GENERIC_FAILURE' });
    });
  });

  describe('history sync', () => {
    const historyEvents = () => socket.events.filter((e) => e.type === 'sync' && e.data.kind === 'history').map((e) => e.data);

    it('should refuse a days value outside 1..90 with 400 naming the problem', async () => {
      for (const days of [0, 1000, 2.5, 'seven']) {
        const res = await app.post(`/api/comms/channels/${channelId}/sync`, { days });
        expect(res.status).toBe(400);
        expect(res.body.message).toBe(`days must be an integer from 1 to 90, got ${JSON.stringify(days)}`);
      }
      expect(phone.callsTo('POST', '/messages/inbox/export')).toHaveLength(0);
    });

    it('should refuse a channel whose provider cannot replay history with 400', async () => {
      const mock = await app.post('/api/comms/channels', { provider: 'mock', name: 'Demo' });
      const res = await app.post(`/api/comms/channels/${mock.body.id}/sync`, {});
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('mock channels cannot sync history');
    });

    it('should import the phone’s history, skipping what we have, with rising progress ending done', async () => {
      const started = await app.post(`/api/comms/channels/${channelId}/sync`, { days: 3 });
      expect(started.status).toBe(202);
      expect(started.body).toMatchObject({
        kind: 'history',
        channelId,
        state: 'running',
        total: null,
        imported: 0,
        skipped: 0,
        error: null,
      });

      const [exportCall] = phone.callsTo('POST', '/messages/inbox/export');
      expect(exportCall.headers.authorization).toBe(BASIC);
      expect(exportCall.body.deviceId).toBe(DEVICE_ID);
      expect(Date.parse(exportCall.body.until) - Date.parse(exportCall.body.since)).toBe(3 * DAY_MS);

      const again = await app.post(`/api/comms/channels/${channelId}/sync`, {});
      expect(again.status).toBe(409);
      expect(again.body.message).toBe(`a history sync is already running for channel ${channelId}`);

      // The phone replays 30 SMS: 27 we never saw (9 new numbers, 3 each) and 3 we already have.
      const news = Array.from({ length: 27 }, (_, i) =>
        received(`+1415555${String(1000 + Math.floor(i / 3))}`, `h${i}`, `old message ${i}`),
      );
      const repeats = [
        received('+16505551212', '5d1e2f3a', 'Android is always a sweet treat!'),
        received('6505551234', 'aa11bb22', 'Are you open on Sunday?', null),
        received('+16505551299', 'c0ffee01', 'Twice?'),
      ];
      const responses = await Promise.all([...news, ...repeats].map((raw) => post(raw)));
      expect(responses.every((r) => r.status === 200)).toBe(true);

      const done = await socket.waitFor('sync', (d) => d.kind === 'history' && d.state === 'done', 15_000);
      expect(done).toMatchObject({ kind: 'history', channelId, total: null, imported: 27, skipped: 3, error: null });

      const progress = historyEvents().filter((e) => e.startedAt === done.startedAt);
      expect(progress[0]).toMatchObject({ state: 'running', imported: 0, skipped: 0 });
      expect(progress.at(-1)).toEqual(done);
      const counts = progress.map((e) => e.imported + e.skipped);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      // At most one event per 25 messages (or 500 ms), so 30 messages show at least one step between 0 and done.
      expect(progress.some((e) => e.state === 'running' && e.imported + e.skipped > 0)).toBe(true);

      const threads = await count(`SELECT count(*)::int AS n FROM threads WHERE channel_id = $1 AND address LIKE '+1415555%'`, [channelId]);
      expect(threads).toBe(9);
      expect(await count(`SELECT count(*)::int AS n FROM messages WHERE provider_message_id = 'rx:+16505551212:5d1e2f3a'`)).toBe(1);

      const latest = await app.get(`/api/comms/channels/${channelId}/sync`);
      expect(latest.status).toBe(200);
      const { seq: _seq, ...view } = done;
      expect(latest.body).toEqual(view);
    });

    it('should end the import failed, with the reason, when the phone refuses the export', async () => {
      phone.script('POST /messages/inbox/export', { status: 500, body: { message: 'Failed to export inbox: permission denied' } });
      const res = await app.post(`/api/comms/channels/${channelId}/sync`, { days: 1 });
      expect(res.status).toBe(202);
      const error = 'SMS Gateway inbox export 500: Failed to export inbox: permission denied';
      expect(res.body).toMatchObject({ state: 'failed', error, imported: 0, skipped: 0 });
      await socket.waitFor('sync', (d) => d.kind === 'history' && d.state === 'failed' && d.error === error);
      expect((await app.get(`/api/comms/channels/${channelId}/sync`)).body).toMatchObject({ state: 'failed', error });
    });
  });
});
