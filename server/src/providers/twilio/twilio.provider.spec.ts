import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixture, fixtureText } from '../../../test/support/fixtures';
import { closedPort, RouteServer } from '../../../test/support/route-server';
import { ProviderError } from '../provider-error';
import type { ChannelContext, OutboundMedia, OutboundText } from '../provider.types';
import { apiBaseUrl, DEFAULT_TWILIO_API_BASE_URL, EMPTY_TWIML, TwilioProvider } from './twilio.provider';

const ACCOUNT_SID = 'AC3f1e2d4c5b6a79880796a5b4c3d2e1f0';
const AUTH_TOKEN = '9c1d5e7f3a2b4c6d8e0f1a3b5c7d9e1f';
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const SEND = `POST ${ACCOUNT}/Messages.json`;
const SERVICE = 'MG7a1b2c3d4e5f60718293a4b5c6d7e8f9';

const sendRequest = fixture<Record<string, string>>('twilio/send_text_request.json');
const sendRequestRaw = fixtureText('twilio/send_text_request.txt');
const sendResponse = fixture<{ sid: string } & Record<string, unknown>>('twilio/send_text_response.json');
const account = fixture<Record<string, unknown>>('twilio/connection_state_open.json');

/** Twilio's REST error body (PROTOCOLS.md §4.4). */
const restError = (code: number, message: string, status: number) => ({
  code,
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
});

function channel(apiBase: string, config: Record<string, string> = { from: '+447700900500' }): ChannelContext {
  return {
    id: 'channel-twilio',
    provider: 'twilio',
    config: { accountSid: ACCOUNT_SID, apiBaseUrl: apiBase, ...config },
    secrets: { authToken: AUTH_TOKEN },
    // The fixture was signed for this callback URL; the real one is PUBLIC_BASE_URL/api/comms/webhooks/twilio.
    callbackUrl: sendRequest.StatusCallback,
  };
}

function text(over: Partial<OutboundText> = {}): OutboundText {
  return { to: '+447700900123', address: '+447700900123', text: sendRequest.Body, replyTo: null, ...over };
}

function media(over: Partial<OutboundMedia> = {}): OutboundMedia {
  return {
    to: '+447700900123',
    address: '+447700900123',
    kind: 'image',
    caption: 'The damaged corner',
    mimeType: 'image/jpeg',
    fileName: 'corner.jpg',
    bytes: Buffer.from('jpeg'),
    publicUrl: 'https://inbox.example.com/api/comms/media/public/tok123',
    replyTo: null,
    ...over,
  };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(err)}`);
  return err;
}

/** A one-route server answering a redirect, for the media CDN hop RouteServer cannot express. */
async function redirector(location: string): Promise<{ server: Server; url: string; auth: (string | undefined)[] }> {
  const auth: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    auth.push(req.headers.authorization);
    res.writeHead(307, { location });
    res.end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, auth };
}

describe(TwilioProvider.name, () => {
  const twilio = new RouteServer((route) => restError(20404, `The requested resource ${route} was not found`, 404));
  let sut: TwilioProvider;

  beforeAll(() => twilio.start());
  afterAll(() => twilio.stop());

  beforeEach(() => {
    twilio.reset();
    sut = new TwilioProvider();
  });

  describe('rawAddressForPhone', () => {
    it('should keep the E.164 number', () => {
      expect(sut.rawAddressForPhone('+447700900123')).toBe('+447700900123');
    });
  });

  describe('webhookReply', () => {
    it('should answer an empty TwiML document', () => {
      expect(sut.webhookReply()).toEqual({ contentType: 'text/xml', body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
      expect(EMPTY_TWIML).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    });
  });

  describe('apiBaseUrl', () => {
    it('should default to the public API and drop a trailing slash', () => {
      expect(apiBaseUrl(channel(''))).toBe('https://api.twilio.com');
      expect(DEFAULT_TWILIO_API_BASE_URL).toBe('https://api.twilio.com');
      expect(apiBaseUrl(channel('https://proxy.example.com/'))).toBe('https://proxy.example.com');
    });
  });

  describe('sendText', () => {
    it('should POST the fixture form with Basic auth and return the sid', async () => {
      twilio.on(SEND, { status: 201, body: sendResponse });
      const result = await sut.sendText(channel(twilio.url), text());
      expect(result).toEqual({ providerMessageId: 'SMeb1cf4fb498a280ea3477e87f2b1ccfe' });
      expect(twilio.requests).toHaveLength(1);
      const req = twilio.requests[0];
      expect(req.method).toBe('POST');
      expect(req.path).toBe(`${ACCOUNT}/Messages.json`);
      expect(req.headers.authorization).toBe(BASIC);
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(req.body).toEqual(sendRequest);
      // Byte for byte: same fields, same order, same encoding (£ as %C2%A3, ! as %21).
      expect(req.raw).toBe(sendRequestRaw);
    });

    it('should send through the Messaging Service instead of From when both are set', async () => {
      twilio.on(SEND, { status: 201, body: { ...sendResponse, status: 'accepted', from: null, messaging_service_sid: SERVICE } });
      await sut.sendText(channel(twilio.url, { from: '+447700900500', messagingServiceSid: SERVICE }), text({ text: 'Hi' }));
      expect(twilio.requests[0].body).toEqual({
        To: '+447700900123',
        MessagingServiceSid: SERVICE,
        Body: 'Hi',
        StatusCallback: sendRequest.StatusCallback,
      });
    });

    it('should send to the canonical E.164 address', async () => {
      twilio.on(SEND, { status: 201, body: sendResponse });
      await sut.sendText(channel(twilio.url), text({ to: 'raw-ignored', address: '+12025550143', text: 'Hi' }));
      expect((twilio.requests[0].body as Record<string, string>).To).toBe('+12025550143');
    });

    it('should refuse an address that is not a phone number without calling Twilio', async () => {
      const err = await failure(sut.sendText(channel(twilio.url), text({ address: 'lid:164203881579023' })));
      expect({ ...err }).toMatchObject({ code: 'invalid_recipient', retryable: false });
      expect(twilio.requests).toHaveLength(0);
    });

    it('should refuse a channel with neither a number nor a Messaging Service without calling Twilio', async () => {
      const err = await failure(sut.sendText(channel(twilio.url, {}), text()));
      expect(err.code).toBe('bad_request');
      expect(twilio.requests).toHaveLength(0);
    });

    it.each([
      [400, 21211, "The 'To' number +4477 is not a valid phone number.", 'invalid_recipient', false],
      [400, 21614, "'To' number is not a valid mobile number", 'invalid_recipient', false],
      [400, 21610, 'Attempt to send to unsubscribed recipient', 'opted_out', false],
      [401, 20003, 'Authenticate', 'auth', false],
      [401, 20005, 'Account not active', 'auth', false],
      [429, 20429, 'Too Many Requests', 'rate_limited', true],
      [400, 14107, 'SMS send rate limit exceeded', 'rate_limited', true],
      [400, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number", 'bad_request', false],
      [503, 20500, 'Service Unavailable', 'unavailable', true],
    ])('should turn HTTP %i with code %i (%s) into %s', async (status, code, message, neutral, retryable) => {
      twilio.on(SEND, { status, body: restError(code, message, status) });
      const err = await failure(sut.sendText(channel(twilio.url), text()));
      expect({ ...err }).toMatchObject({ code: neutral, providerCode: String(code), retryable });
      expect(err.message).toBe(`Twilio send SMS: Twilio ${code}: ${message}`);
    });

    it('should read an HTML 502 from a proxy as unavailable', async () => {
      twilio.on(SEND, { status: 502, body: '<html>Bad Gateway</html>' });
      const err = await failure(sut.sendText(channel(twilio.url), text()));
      expect({ ...err }).toMatchObject({ code: 'unavailable', providerCode: '502', retryable: true });
      expect(err.message).toBe('Twilio send SMS: Twilio 502: <html>Bad Gateway</html>');
    });

    it('should turn a dropped connection into a retryable error', async () => {
      twilio.on(SEND, 'reset');
      expect({ ...(await failure(sut.sendText(channel(twilio.url), text()))) }).toMatchObject({ code: 'unavailable', retryable: true });
    });

    it('should turn a closed port into a retryable error', async () => {
      const err = await failure(sut.sendText(channel(`http://127.0.0.1:${await closedPort()}`), text()));
      expect({ ...err }).toMatchObject({ code: 'unavailable', retryable: true });
    });

    it('should refuse a 201 without a sid', async () => {
      twilio.on(SEND, { status: 201, body: { status: 'queued' } });
      const err = await failure(sut.sendText(channel(twilio.url), text()));
      expect({ ...err }).toMatchObject({ code: 'unknown', retryable: false });
    });
  });

  describe('sendMedia', () => {
    it('should POST MediaUrl with the caption as Body', async () => {
      twilio.on(SEND, { status: 201, body: { ...sendResponse, sid: 'MM0a1b2c3d4e5f60718293a4b5c6d7e8f9' } });
      const result = await sut.sendMedia(channel(twilio.url), media());
      expect(result).toEqual({ providerMessageId: 'MM0a1b2c3d4e5f60718293a4b5c6d7e8f9' });
      const req = twilio.requests[0];
      expect(req.headers.authorization).toBe(BASIC);
      expect(req.raw).toBe(
        new URLSearchParams([
          ['To', '+447700900123'],
          ['From', '+447700900500'],
          ['Body', 'The damaged corner'],
          ['MediaUrl', 'https://inbox.example.com/api/comms/media/public/tok123'],
          ['StatusCallback', sendRequest.StatusCallback],
        ]).toString(),
      );
    });

    it('should leave Body out when there is no caption', async () => {
      twilio.on(SEND, { status: 201, body: sendResponse });
      await sut.sendMedia(channel(twilio.url), media({ caption: null }));
      expect(twilio.requests[0].body).toEqual({
        To: '+447700900123',
        From: '+447700900500',
        MediaUrl: 'https://inbox.example.com/api/comms/media/public/tok123',
        StatusCallback: sendRequest.StatusCallback,
      });
    });
  });

  describe('fetchStatus', () => {
    const GET = `GET ${ACCOUNT}/Messages/SMeb1cf4fb498a280ea3477e87f2b1ccfe.json`;

    it('should read a delivered message', async () => {
      twilio.on(GET, { status: 200, body: { ...sendResponse, status: 'delivered' } });
      expect(await sut.fetchStatus(channel(twilio.url), 'SMeb1cf4fb498a280ea3477e87f2b1ccfe')).toEqual({
        status: 'delivered',
        error: null,
      });
      expect(twilio.requests[0].headers.authorization).toBe(BASIC);
    });

    it('should read an undelivered message with its error code', async () => {
      twilio.on(GET, { status: 200, body: { ...sendResponse, status: 'undelivered', error_code: 30003, error_message: 'Unreachable' } });
      const polled = await sut.fetchStatus(channel(twilio.url), 'SMeb1cf4fb498a280ea3477e87f2b1ccfe');
      expect(polled?.status).toBe('failed');
      expect({ ...polled?.error }).toMatchObject({ code: 'unavailable', providerCode: '30003', retryable: false });
      expect(polled?.error?.message).toBe('Twilio 30003: unreachable destination handset');
    });

    it('should read queued as pending', async () => {
      twilio.on(GET, { status: 200, body: sendResponse });
      expect(await sut.fetchStatus(channel(twilio.url), 'SMeb1cf4fb498a280ea3477e87f2b1ccfe')).toEqual({ status: 'pending', error: null });
    });

    it('should answer null for a message Twilio does not know', async () => {
      expect(await sut.fetchStatus(channel(twilio.url), 'SMeb1cf4fb498a280ea3477e87f2b1ccfe')).toBeNull();
      expect(twilio.requests).toHaveLength(1);
    });

    it('should throw other errors', async () => {
      twilio.on(GET, { status: 401, body: restError(20003, 'Authenticate', 401) });
      expect((await failure(sut.fetchStatus(channel(twilio.url), 'SMeb1cf4fb498a280ea3477e87f2b1ccfe'))).code).toBe('auth');
    });
  });

  describe('testConnection', () => {
    const CALLBACK = 'https://inbox.example.com/api/comms/webhooks/twilio';
    const NUMBERS = `GET ${ACCOUNT}/IncomingPhoneNumbers.json?PhoneNumber=%2B447700900500`;
    const numbers = { incoming_phone_numbers: [{ sid: 'PN1', phone_number: '+447700900500', friendly_name: 'UK support' }] };

    it('should report an active account, its number and where to set the callback URL', async () => {
      twilio.on(`GET ${ACCOUNT}.json`, { status: 200, body: account });
      twilio.on(NUMBERS, { status: 200, body: numbers });
      const checks = await sut.testConnection(channel(twilio.url), CALLBACK);
      expect(checks).toEqual([
        { name: 'connection', ok: true, state: 'connected', address: '+447700900500', detail: 'Acme Inbox (Full) is active' },
        { name: 'number', ok: true, detail: '+447700900500 (UK support) belongs to this account' },
        {
          name: 'webhook',
          ok: true,
          detail: `in the Twilio console, set ${CALLBACK} (HTTP POST) as the incoming message URL and the status callback URL of the number +447700900500`,
        },
      ]);
      expect(twilio.requests.map((r) => r.headers.authorization)).toEqual([BASIC, BASIC]);
    });

    it('should ask for re-authentication when Twilio refuses the credentials', async () => {
      twilio.on(`GET ${ACCOUNT}.json`, { status: 401, body: restError(20003, 'Authenticate', 401) });
      const checks = await sut.testConnection(channel(twilio.url), CALLBACK);
      expect(checks[0]).toEqual({
        name: 'connection',
        ok: false,
        state: 'needs_reauth',
        detail: 'Twilio account: Twilio 20003: Authenticate',
      });
      expect(checks.map((c) => c.name)).toEqual(['connection', 'webhook']);
      expect(twilio.requests).toHaveLength(1);
    });

    it.each(['suspended', 'closed'])('should report a %s account as disconnected', async (status) => {
      twilio.on(`GET ${ACCOUNT}.json`, { status: 200, body: { ...account, status } });
      const checks = await sut.testConnection(channel(twilio.url), CALLBACK);
      expect(checks[0]).toEqual({ name: 'connection', ok: false, state: 'disconnected', detail: `Acme Inbox (Full) is ${status}` });
    });

    it('should fail the number check when the number is not the account’s', async () => {
      twilio.on(`GET ${ACCOUNT}.json`, { status: 200, body: account });
      twilio.on(NUMBERS, { status: 200, body: { incoming_phone_numbers: [] } });
      const checks = await sut.testConnection(channel(twilio.url), CALLBACK);
      expect(checks[1]).toEqual({ name: 'number', ok: false, detail: '+447700900500 is not a phone number of this Twilio account' });
    });

    it('should skip the number check for a Messaging Service channel', async () => {
      twilio.on(`GET ${ACCOUNT}.json`, { status: 200, body: account });
      const checks = await sut.testConnection(channel(twilio.url, { messagingServiceSid: SERVICE }), CALLBACK);
      expect(checks.map((c) => [c.name, c.ok])).toEqual([
        ['connection', true],
        ['webhook', true],
      ]);
      expect(checks[0].address).toBeNull();
      expect(checks[1].detail).toContain(`Messaging Service ${SERVICE}`);
    });

    it('should fail a channel with neither a number nor a Messaging Service', async () => {
      twilio.on(`GET ${ACCOUNT}.json`, { status: 200, body: account });
      const checks = await sut.testConnection(channel(twilio.url, {}), CALLBACK);
      expect(checks[1]).toEqual({ name: 'sender', ok: false, detail: 'set a sending number (from) or a Messaging Service SID' });
    });

    it('should report an unreachable API', async () => {
      const checks = await sut.testConnection(channel(`http://127.0.0.1:${await closedPort()}`), CALLBACK);
      expect(checks[0]).toMatchObject({ name: 'connection', ok: false });
      expect(checks[0].detail).toMatch(/^Twilio account unreachable: /);
      expect(checks[0].state).toBeUndefined();
    });
  });

  describe('fetchMedia', () => {
    const MEDIA = `${ACCOUNT}/Messages/MMc781610ec0b3400c9e0cab8e757da937/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f0`;

    it('should download media from the API origin with Basic auth', async () => {
      twilio.on(`GET ${MEDIA}`, { status: 200, bytes: Buffer.from('jpeg-bytes'), contentType: 'image/jpeg' });
      const fetched = await sut.fetchMedia(channel(twilio.url), `${twilio.url}${MEDIA}`);
      expect(fetched).toEqual({ bytes: Buffer.from('jpeg-bytes'), mimeType: 'image/jpeg', fileName: null });
      expect(twilio.requests[0].headers.authorization).toBe(BASIC);
    });

    it('should follow the redirect to the CDN without our credentials', async () => {
      twilio.on('GET /cdn/ME0a1b.jpg', { status: 200, bytes: Buffer.from('cdn-bytes'), contentType: 'image/jpeg' });
      // The CDN is another origin (another port); the API redirects there.
      const api = await redirector(`${twilio.url}/cdn/ME0a1b.jpg`);
      try {
        const fetched = await sut.fetchMedia(channel(api.url), `${api.url}${MEDIA}`);
        expect(fetched.bytes.toString()).toBe('cdn-bytes');
        expect(api.auth).toEqual([BASIC]);
        expect(twilio.requests).toHaveLength(1);
        expect(twilio.requests[0].headers.authorization).toBeUndefined();
      } finally {
        api.server.closeAllConnections();
        api.server.close();
      }
    });

    it('should refuse a media URL on another origin without any request', async () => {
      const err = await failure(sut.fetchMedia(channel(twilio.url), `http://169.254.169.254${MEDIA}`));
      expect({ ...err }).toMatchObject({ code: 'bad_request', retryable: false });
      expect(err.message).toBe(`refusing to fetch Twilio media from http://169.254.169.254: only ${twilio.url} gets our credentials`);
      expect(twilio.requests).toHaveLength(0);
    });

    it('should refuse a media URL on api.twilio.com when the channel uses another API base', async () => {
      const err = await failure(sut.fetchMedia(channel(twilio.url), `https://api.twilio.com${MEDIA}`));
      expect(err.code).toBe('bad_request');
    });

    it('should only send credentials to api.twilio.com by default', async () => {
      const err = await failure(sut.fetchMedia(channel(''), `https://evil.example.com${MEDIA}`));
      expect(err.message).toBe(
        'refusing to fetch Twilio media from https://evil.example.com: only https://api.twilio.com gets our credentials',
      );
    });

    it('should refuse a reference that is not a URL', async () => {
      expect((await failure(sut.fetchMedia(channel(twilio.url), 'ME0a1b'))).code).toBe('bad_request');
    });

    it('should map a missing media resource to a Twilio error', async () => {
      const err = await failure(sut.fetchMedia(channel(twilio.url), `${twilio.url}${MEDIA}`));
      expect({ ...err }).toMatchObject({ code: 'bad_request', providerCode: '20404' });
    });
  });
});
