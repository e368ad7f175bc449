import { randomUUID } from 'node:crypto';
import { twilioSignature } from '../src/providers/twilio/twilio-auth';
import { twilioParams } from '../src/providers/twilio/twilio.parse';
import { FakeHttp, type RecordedCall } from './support/fake-http';
import { fixture, fixtureText } from './support/fixtures';
import { eventually, startTestApp, type RecordingSocket, type TestApp } from './support/test-app';

const ACCOUNT_SID = 'AC3f1e2d4c5b6a79880796a5b4c3d2e1f0';
const AUTH_TOKEN = '9c1d5e7f3a2b4c6d8e0f1a3b5c7d9e1f';
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const OWN_NUMBER = '+14155550100';
const EMILY = '+12025550143';
const OLIVER = '+447700900123';
const PUBLIC_BASE_URL = 'https://inbox.example.com';
const WEBHOOK_URL = `${PUBLIC_BASE_URL}/api/comms/webhooks/twilio`;
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const MESSAGES = `${ACCOUNT}/Messages.json`;
const TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const MMS_SID = 'MMc781610ec0b3400c9e0cab8e757da937';
const PHOTO = Buffer.from('\xff\xd8\xff\xe0 a photo of a crushed box', 'latin1');

type Fields = Record<string, string>;

const form = (fields: Fields): string => new URLSearchParams(fields).toString();
const sign = (raw: string, url = WEBHOOK_URL): string => twilioSignature(AUTH_TOKEN, url, twilioParams(raw));

/** A Twilio channel end to end: signed form webhooks in, sends out through a local server speaking Twilio's REST API. */
describe('Twilio SMS/MMS channel (integration)', () => {
  let app: TestApp;
  let twilio: FakeHttp;
  let socket: RecordingSocket;
  let sids = 0;

  /** POSTs a form body the way Twilio does; the answer's body stays raw text (TwiML or JSON). */
  const post = async (raw: string, signature: string | null = sign(raw)) => {
    const res = await fetch(`${app.url}/api/comms/webhooks/twilio`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
      body: raw,
    });
    return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
  };

  const inbound = (over: Fields = {}): Fields => ({
    ...(fixture<Fields>('twilio/inbound_text.json') as Fields),
    ...over,
  });

  /** A status callback for one of our sends, from our number to the contact. */
  const callback = (sid: string, status: string, to = EMILY, over: Fields = {}): string =>
    form({
      SmsSid: sid,
      SmsStatus: status,
      MessageStatus: status,
      To: to,
      MessageSid: sid,
      AccountSid: ACCOUNT_SID,
      From: OWN_NUMBER,
      ApiVersion: '2010-04-01',
      ...over,
    });

  const sends = (): RecordedCall[] => twilio.callsTo('POST', MESSAGES);
  const idle = () =>
    eventually(async () => (await app.sql(`SELECT 1 FROM webhook_events WHERE state = 'pending'`)).length === 0, 'webhooks processed');
  const threadOf = async (address: string): Promise<string> =>
    (
      await eventually(
        async () => (await app.sql<{ id: string }>(`SELECT id FROM threads WHERE address = $1`, [address]))[0],
        `thread ${address}`,
      )
    ).id;
  const reply = (threadId: string, body: string) =>
    app.post(`/api/comms/threads/${threadId}/messages`, { body, clientMessageId: randomUUID() });

  beforeAll(async () => {
    twilio = await new FakeHttp((call) => {
      if (call.method === 'GET' && call.path === `${ACCOUNT}.json`)
        return { status: 200, body: fixture('twilio/connection_state_open.json') };
      if (call.method === 'GET' && call.path === `${ACCOUNT}/IncomingPhoneNumbers.json` && call.query.get('PhoneNumber') === OWN_NUMBER)
        return { status: 200, body: { incoming_phone_numbers: [{ sid: 'PN1', phone_number: OWN_NUMBER, friendly_name: 'US support' }] } };
      if (call.method === 'POST' && call.path === MESSAGES) {
        const sid = `SM${String(++sids).padStart(32, '0')}`;
        return {
          status: 201,
          body: {
            ...fixture<Record<string, unknown>>('twilio/send_text_response.json'),
            sid,
            to: call.body.To,
            from: call.body.From,
            body: call.body.Body,
          },
        };
      }
      if (call.method === 'GET' && call.path === `${ACCOUNT}/Messages/${MMS_SID}/Media/ME0`)
        return { status: 200, body: null, bytes: PHOTO, contentType: 'image/jpeg' };
      return {
        status: 404,
        body: {
          code: 20404,
          message: `The requested resource ${call.path} was not found`,
          more_info: 'https://www.twilio.com/docs/errors/20404',
          status: 404,
        },
      };
    }).start();
    app = await startTestApp({ PUBLIC_BASE_URL });
    const created = await app.post('/api/comms/channels', {
      provider: 'twilio',
      name: 'US SMS',
      config: { accountSid: ACCOUNT_SID, from: OWN_NUMBER, apiBaseUrl: twilio.url },
      secrets: { authToken: AUTH_TOKEN },
    });
    expect(created.status).toBe(201);
    expect(created.body.test.ok).toBe(true);
    socket = await app.socket();
  });

  afterAll(async () => {
    await app?.close();
    await twilio?.stop();
  });

  it('should check the account and the number with Basic auth when the channel is created', async () => {
    expect(twilio.callsTo('GET', `${ACCOUNT}.json`)[0].headers.authorization).toBe(BASIC);
    expect(twilio.callsTo('GET', `${ACCOUNT}/IncomingPhoneNumbers.json`)[0].query.get('PhoneNumber')).toBe(OWN_NUMBER);
    const channel = (await app.get('/api/comms/channels')).body.find((c: { provider: string }) => c.provider === 'twilio');
    expect(channel).toMatchObject({
      state: 'connected',
      address: OWN_NUMBER,
      callbackUrl: WEBHOOK_URL,
      secrets: { authToken: expect.not.stringContaining(AUTH_TOKEN) },
    });
  });

  it('should turn a signed inbound SMS into a thread, push it live and answer empty TwiML', async () => {
    const raw = fixtureText('twilio/inbound_text.txt');
    const res = await post(raw);
    expect(res).toEqual({ status: 200, contentType: 'text/xml', text: TWIML });
    const ev = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'SM7310bff7a9c76f92a94449a1dda7ce90');
    expect(ev.message).toMatchObject({
      direction: 'inbound',
      origin: 'contact',
      kind: 'text',
      body: 'Hi, is my order 55812 ready for pickup?',
    });
    expect(ev.thread).toMatchObject({ address: EMILY, contact: { phone: EMILY, optedOut: false } });
    await idle();
    const [stored] = await app.sql(
      `SELECT content_type, raw_body, state FROM webhook_events WHERE dedupe_key = 'twilio:SM7310bff7a9c76f92a94449a1dda7ce90'`,
    );
    expect(stored).toEqual({ content_type: 'application/x-www-form-urlencoded', raw_body: raw, state: 'processed' });
  });

  it('should refuse tampered, unsigned and http-signed webhooks with a JSON 401 and store nothing', async () => {
    const before = (await app.sql(`SELECT count(*)::int AS n FROM webhook_events`))[0].n;
    const raw = form(inbound({ MessageSid: 'SMforged00000000000000000000000001', Body: 'forged' }));
    const tampered = await post(raw.replace('forged', 'FORGED'), sign(raw));
    expect(tampered.status).toBe(401);
    expect(tampered.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(tampered.text)).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'invalid X-Twilio-Signature signature' });
    expect((await post(raw, null)).status).toBe(401);
    // A TLS-terminating proxy that made us rebuild http:// would sign differently: refused.
    expect((await post(raw, sign(raw, WEBHOOK_URL.replace('https://', 'http://')))).status).toBe(401);
    expect((await app.sql(`SELECT count(*)::int AS n FROM webhook_events`))[0].n).toBe(before);
    expect(await app.sql(`SELECT 1 FROM messages WHERE body ILIKE 'forged'`)).toHaveLength(0);
  });

  it('should store a redelivered webhook once', async () => {
    const raw = form(inbound({ MessageSid: 'SMdup00000000000000000000000000001', Body: 'Twice?' }));
    expect((await post(raw)).text).toBe(TWIML);
    expect(await post(raw)).toEqual({ status: 200, contentType: 'text/xml', text: TWIML });
    await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'SMdup00000000000000000000000000001');
    await idle();
    expect(await app.sql(`SELECT 1 FROM messages WHERE provider_message_id = 'SMdup00000000000000000000000000001'`)).toHaveLength(1);
    expect(await app.sql(`SELECT 1 FROM webhook_events WHERE dedupe_key = 'twilio:SMdup00000000000000000000000000001'`)).toHaveLength(1);
  });

  it('should send a reply as the exact form with a StatusCallback and keep delivered over a late sent', async () => {
    const threadId = await threadOf(EMILY);
    const res = await reply(threadId, 'Hi Emily! Order 55812 is ready at the front desk.');
    expect(res.status).toBe(202);
    const sent = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent');
    const call = sends().find((c) => c.body.Body === 'Hi Emily! Order 55812 is ready at the front desk.')!;
    expect(call.headers.authorization).toBe(BASIC);
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call.raw).toBe(
      form({ To: EMILY, From: OWN_NUMBER, Body: 'Hi Emily! Order 55812 is ready at the front desk.', StatusCallback: WEBHOOK_URL }),
    );
    const sid = sent.providerMessageId as string;
    expect(sid).toMatch(/^SM0{20,}\d+$/);
    // Callbacks out of order: delivered, then the sent that was overtaken.
    expect((await post(callback(sid, 'delivered'))).status).toBe(200);
    await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'delivered');
    expect((await post(callback(sid, 'sent'))).status).toBe(200);
    await idle();
    const [row] = await app.sql(`SELECT status, provider_message_id FROM messages WHERE id = $1`, [res.body.id]);
    expect(row).toEqual({ status: 'delivered', provider_message_id: sid });
  });

  it('should fail a message Twilio could not deliver (30003) with the reason', async () => {
    const threadId = await threadOf(EMILY);
    const res = await reply(threadId, 'Are you still there?');
    const { providerMessageId } = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent');
    await post(callback(providerMessageId, 'undelivered', EMILY, { ErrorCode: '30003' }));
    const failed = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'failed');
    expect(failed.error).toEqual({
      code: 'unavailable',
      message: 'Twilio 30003: unreachable destination handset',
      providerCode: '30003',
      retryable: false,
    });
  });

  it('should store every file of an MMS and serve them through Basic auth', async () => {
    const mediaUrl = `${twilio.url}${ACCOUNT}/Messages/${MMS_SID}/Media/ME0`;
    const raw = form(
      inbound({
        MessageSid: MMS_SID,
        SmsMessageSid: MMS_SID,
        SmsSid: MMS_SID,
        NumMedia: '2',
        Body: 'Box arrived crushed',
        MediaUrl0: mediaUrl,
        MediaContentType0: 'image/jpeg',
        MediaUrl1: `${twilio.url}${ACCOUNT}/Messages/${MMS_SID}/Media/ME1`,
        MediaContentType1: 'application/pdf',
      }),
    );
    expect((await post(raw)).status).toBe(200);
    const first = await socket.waitFor('new_message', (d) => d.message.providerMessageId === MMS_SID);
    const second = await socket.waitFor('new_message', (d) => d.message.providerMessageId === `${MMS_SID}/1`);
    expect(first.message).toMatchObject({ kind: 'image', body: 'Box arrived crushed', media: { mimeType: 'image/jpeg' } });
    expect(second.message).toMatchObject({ kind: 'document', body: null, media: { mimeType: 'application/pdf' } });
    const media = await fetch(`${app.url}/api/comms/messages/${first.message.id}/media`);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toMatch(/^image\/jpeg/);
    expect(Buffer.from(await media.arrayBuffer())).toEqual(PHOTO);
    const download = twilio.calls.filter((c) => c.method === 'GET' && c.path === `${ACCOUNT}/Messages/${MMS_SID}/Media/ME0`);
    expect(download).toHaveLength(1);
    expect(download[0].headers.authorization).toBe(BASIC);
  });

  it('should opt the contact out on STOP, refuse sends without calling Twilio, and opt back in on START', async () => {
    const threadId = await threadOf(EMILY);
    await post(form(inbound({ MessageSid: 'SMstop0000000000000000000000000001', Body: 'STOP' })));
    // The STOP is kept in the conversation, and the thread is pushed with the contact opted out.
    await socket.waitFor(
      'new_message',
      (d) => d.message.providerMessageId === 'SMstop0000000000000000000000000001' && d.message.body === 'STOP',
    );
    await socket.waitFor('thread_updated', (d) => d.thread.id === threadId && d.thread.contact?.optedOut === true);
    expect((await app.get(`/api/comms/threads/${threadId}`)).body.contact.optedOut).toBe(true);

    const before = sends().length;
    const refused = await reply(threadId, 'One more thing...');
    const failed = await socket.waitFor('status_update', (d) => d.messageId === refused.body.id && d.status === 'failed');
    expect(failed.error.code).toBe('opted_out');
    expect(sends()).toHaveLength(before);

    await post(form(inbound({ MessageSid: 'SMstart000000000000000000000000001', Body: 'start' })));
    await socket.waitFor('thread_updated', (d) => d.thread.id === threadId && d.thread.contact?.optedOut === false);
    const again = await reply(threadId, 'Welcome back!');
    await socket.waitFor('status_update', (d) => d.messageId === again.body.id && d.status === 'sent');
    expect(sends().map((c) => c.body.Body)).toContain('Welcome back!');
  });

  it('should retry a send Twilio throttled (429) and send it once', async () => {
    const threadId = await threadOf(EMILY);
    twilio.script(`POST ${MESSAGES}`, {
      status: 429,
      body: { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 },
    });
    const res = await reply(threadId, 'Your refund is on its way.');
    const sent = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent');
    const attempts = sends().filter((c) => c.body.Body === 'Your refund is on its way.');
    expect(attempts).toHaveLength(2);
    const [row] = await app.sql(`SELECT status, provider_message_id, error FROM messages WHERE id = $1`, [res.body.id]);
    expect(row).toEqual({ status: 'sent', provider_message_id: sent.providerMessageId, error: null });
  });

  it('should fail a send Twilio refuses with 21610 and mark the contact opted out', async () => {
    await post(form(inbound({ MessageSid: 'SMoliver00000000000000000000000001', From: OLIVER, Body: 'Any news on my refund?' })));
    const threadId = await threadOf(OLIVER);
    twilio.script(`POST ${MESSAGES}`, {
      status: 400,
      body: {
        code: 21610,
        message: 'Attempt to send to unsubscribed recipient',
        more_info: 'https://www.twilio.com/docs/errors/21610',
        status: 400,
      },
    });
    const res = await reply(threadId, 'Yes, it was sent today.');
    const failed = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'failed');
    expect(failed.error).toEqual({
      code: 'opted_out',
      message: 'Twilio send SMS: Twilio 21610: Attempt to send to unsubscribed recipient',
      providerCode: '21610',
      retryable: false,
    });
    await socket.waitFor('thread_updated', (d) => d.thread.id === threadId && d.thread.contact?.optedOut === true);
    const [contact] = await app.sql(`SELECT opted_out FROM contacts WHERE phone = $1`, [OLIVER]);
    expect(contact).toEqual({ opted_out: true });
    expect(sends().filter((c) => c.body.To === OLIVER)).toHaveLength(1);
  });
});
