import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProviderError } from '../provider-error';
import type { ChannelContext, OutboundText } from '../provider.types';
import { DEFAULT_GRAPH_BASE_URL, graphBaseUrl, MetaProvider } from './meta.provider';
import type { TemplateRef } from '@switchboard/contracts';
import { RouteServer } from '../../../test/support/route-server';

const FIXTURES = resolve(__dirname, '../../../../../shared/protocols/fixtures/meta');
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;

const sendRequest = fixture<{ to: string; text: { body: string } } & Record<string, unknown>>('send_text_request.json');
const sendResponse = fixture<{ messages: { id: string }[] }>('send_text_response.json');
const templateRequest = fixture<{ to: string; template: TemplateRef } & Record<string, unknown>>('send_template_request.json');
const phoneNode = fixture<Record<string, unknown>>('connection_state_open.json');
const mediaNode = fixture<{ url: string; mime_type: string; id: string }>('media_get_response.json');

const PHONE_NUMBER_ID = '109876543210987';
const TOKEN = 'EAAG-system-user-token';
const CALLBACK = 'https://inbox.example.com/api/comms/webhooks/meta';
const SEND = `POST /v23.0/${PHONE_NUMBER_ID}/messages`;

function channel(
  graphBaseUrl: string,
  secrets: Record<string, string> = { accessToken: TOKEN, appSecret: 's', verifyToken: 'v' },
): ChannelContext {
  return {
    id: 'channel-meta',
    provider: 'meta',
    config: { phoneNumberId: PHONE_NUMBER_ID, graphBaseUrl },
    secrets,
    callbackUrl: 'https://inbox.example.com/api/comms/webhooks/meta',
  };
}

function outbound(over: Partial<OutboundText> = {}): OutboundText {
  return { to: '447700900123', address: '+447700900123', text: sendRequest.text.body, replyTo: null, ...over };
}

/** A Graph API error body (PROTOCOLS.md §3.9). */
function graphErrorBody(code: number, title: string, details?: string) {
  return {
    error: {
      message: `(#${code}) ${title}`,
      type: 'OAuthException',
      code,
      ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
      fbtrace_id: 'AbCdEf123',
    },
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

describe(MetaProvider.name, () => {
  const graph = new RouteServer((route) => ({
    error: { message: `Unknown path ${route}`, type: 'OAuthException', code: 803, fbtrace_id: 'A1' },
  }));
  let sut: MetaProvider;
  let base: string;

  beforeAll(() => graph.start());
  afterAll(() => graph.stop());

  beforeEach(() => {
    graph.reset();
    sut = new MetaProvider();
    base = `${graph.url}/v23.0`;
  });

  describe('rawAddressForPhone', () => {
    it('should drop the plus of an E.164 number', () => {
      expect(sut.rawAddressForPhone('+447700900123')).toBe('447700900123');
    });
  });

  describe('sendText', () => {
    beforeEach(() => graph.on(SEND, { status: 200, body: sendResponse }));

    it('should POST to /<version>/<phone-number-id>/messages', async () => {
      await sut.sendText(channel(base), outbound());
      expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual([SEND]);
    });

    it('should authenticate with the Bearer access token', async () => {
      await sut.sendText(channel(base), outbound());
      expect(graph.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('should send JSON', async () => {
      await sut.sendText(channel(base), outbound());
      expect(graph.requests[0].headers['content-type']).toMatch(/^application\/json/);
    });

    it('should send the fixture body with the raw wa_id digits as `to`', async () => {
      await sut.sendText(channel(base), outbound());
      // The fixture writes `to` with a plus; Meta accepts both and we send the digits WhatsApp knows.
      expect(graph.requests[0].body).toEqual({ ...sendRequest, to: sendRequest.to.replace(/^\+/, '') });
    });

    it('should quote the message it replies to', async () => {
      await sut.sendText(
        channel(base),
        outbound({ replyTo: { providerMessageId: 'wamid.INBOUND1', fromMe: false, body: 'Box was crushed' } }),
      );
      expect(graph.requests[0].body).toEqual({
        ...sendRequest,
        to: '447700900123',
        context: { message_id: 'wamid.INBOUND1' },
      });
    });

    it('should send to a username user through `recipient`', async () => {
      await sut.sendText(channel(base), outbound({ to: 'bsuid:BR.73519246801357', address: 'bsuid:BR.73519246801357' }));
      const body = graph.requests[0].body as Record<string, unknown>;
      expect(body).toMatchObject({ messaging_product: 'whatsapp', recipient: 'BR.73519246801357', type: 'text' });
      expect(body).not.toHaveProperty('to');
    });

    it('should return messages[0].id of the response', async () => {
      await expect(sut.sendText(channel(base), outbound())).resolves.toEqual({ providerMessageId: sendResponse.messages[0].id });
    });

    it('should default to the public Graph API without a base URL', () => {
      expect(graphBaseUrl({ ...channel(base), config: { phoneNumberId: PHONE_NUMBER_ID } })).toBe('https://graph.facebook.com/v23.0');
      expect(graphBaseUrl({ ...channel(base), config: { phoneNumberId: PHONE_NUMBER_ID, graphBaseUrl: '' } })).toBe(DEFAULT_GRAPH_BASE_URL);
    });

    it('should not double the slash when the base URL ends with one', async () => {
      await sut.sendText(channel(`${base}/`), outbound());
      expect(graph.requests[0].path).toBe(`/v23.0/${PHONE_NUMBER_ID}/messages`);
    });

    it('should fail without retry when a 200 carries no message id', async () => {
      graph.on(SEND, { status: 200, body: { messaging_product: 'whatsapp', messages: [] } });
      expect(await failure(sut.sendText(channel(base), outbound()))).toMatchObject({ code: 'unknown', retryable: false });
    });
  });

  describe('sendText errors', () => {
    it.each([
      { http: 400, code: 131047, neutral: 'window_closed', retryable: false },
      { http: 400, code: 131026, neutral: 'invalid_recipient', retryable: false },
      { http: 429, code: 130429, neutral: 'rate_limited', retryable: true },
      { http: 400, code: 131056, neutral: 'rate_limited', retryable: true },
      { http: 401, code: 190, neutral: 'auth', retryable: false },
      { http: 500, code: 131000, neutral: 'unavailable', retryable: true },
      { http: 400, code: 100, neutral: 'bad_request', retryable: false },
      { http: 400, code: 131008, neutral: 'bad_request', retryable: false },
      { http: 400, code: 131051, neutral: 'bad_request', retryable: false },
      { http: 400, code: 123456, neutral: 'unknown', retryable: false },
      { http: 429, code: 4, neutral: 'rate_limited', retryable: true },
      { http: 401, code: 10, neutral: 'auth', retryable: false },
      { http: 503, code: 2, neutral: 'unavailable', retryable: true },
    ])('should map HTTP $http code $code to $neutral', async ({ http, code, neutral, retryable }) => {
      graph.on(SEND, { status: http, body: graphErrorBody(code, 'Something', 'the details') });
      expect(await failure(sut.sendText(channel(base), outbound()))).toMatchObject({
        code: neutral,
        retryable,
        providerCode: String(code),
      });
    });

    it('should put the Graph message and the details in the error message', async () => {
      graph.on(SEND, { status: 400, body: graphErrorBody(131047, 'Re-engagement message', 'More than 24 hours have passed') });
      const err = await failure(sut.sendText(channel(base), outbound()));
      expect(err.message).toContain('(#131047) Re-engagement message');
      expect(err.message).toContain('More than 24 hours have passed');
    });

    it('should map a 5xx without a Graph body to unavailable', async () => {
      graph.on(SEND, { status: 502, body: Buffer.from('<html>Bad Gateway</html>'), contentType: 'text/html' });
      expect(await failure(sut.sendText(channel(base), outbound()))).toMatchObject({ code: 'unavailable', providerCode: '502' });
    });
  });

  describe('sendTemplate', () => {
    it('should send the template body of the fixture', async () => {
      graph.on(SEND, { status: 200, body: sendResponse });
      await sut.sendTemplate(channel(base), {
        to: templateRequest.to,
        address: `+${templateRequest.to}`,
        template: templateRequest.template,
      });
      expect(graph.requests[0]).toMatchObject({ method: 'POST', path: `/v23.0/${PHONE_NUMBER_ID}/messages` });
      expect(graph.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(graph.requests[0].body).toEqual(templateRequest);
    });

    it('should return the message id', async () => {
      graph.on(SEND, { status: 200, body: sendResponse });
      await expect(
        sut.sendTemplate(channel(base), { to: '5511987650001', address: '+5511987650001', template: templateRequest.template }),
      ).resolves.toEqual({
        providerMessageId: sendResponse.messages[0].id,
      });
    });
  });

  describe('testConnection', () => {
    const HEALTH = `GET /v23.0/${PHONE_NUMBER_ID}?fields=verified_name,display_phone_number,quality_rating`;

    it('should read the phone number node with the Bearer token', async () => {
      graph.on(HEALTH, { status: 200, body: phoneNode });
      await sut.testConnection(channel(base), CALLBACK);
      expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual([HEALTH]);
      expect(graph.requests[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('should report the verified name, number and quality', async () => {
      graph.on(HEALTH, { status: 200, body: phoneNode });
      await expect(sut.testConnection(channel(base), CALLBACK)).resolves.toEqual([
        {
          name: 'connection',
          ok: true,
          state: 'connected',
          address: '+12025550100',
          detail: 'Acme Outfitters (+1 202-555-0100), quality GREEN',
        },
        { name: 'webhook', ok: true, detail: `configure ${CALLBACK} with your verify token in the Meta app dashboard` },
      ]);
    });

    it('should report a dead token (190)', async () => {
      graph.on(HEALTH, { status: 401, body: graphErrorBody(190, 'Error validating access token: Session has expired') });
      const [connection] = await sut.testConnection(channel(base), CALLBACK);
      expect(connection).toEqual({
        name: 'connection',
        ok: false,
        detail: 'access token expired or invalid: generate a new one and save it on this channel',
        state: 'needs_reauth',
      });
    });

    it('should report an unreachable Graph API', async () => {
      const [connection] = await sut.testConnection(channel('http://127.0.0.1:1/v23.0'), CALLBACK);
      expect(connection).toMatchObject({ name: 'connection', ok: false, detail: expect.stringMatching(/unreachable/) });
    });
  });

  describe('fetchMedia', () => {
    const MEDIA = `GET /v23.0/${mediaNode.id}`;
    const DOWNLOAD = `GET /whatsapp_business/attachments/?mid=${mediaNode.id}&ext=1763647992&hash=ATuTBohHMw8J4UxYZpchCA5eQrS0`;
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]);

    /** The fixture's node, pointing its short-lived URL at the fake server. */
    function node() {
      return { ...mediaNode, url: mediaNode.url.replace('https://lookaside.fbsbx.com', graph.url) };
    }

    it('should get the media node, then download its URL with the Bearer token', async () => {
      graph.on(MEDIA, { status: 200, body: node() });
      graph.on(DOWNLOAD, { status: 200, body: bytes, contentType: 'image/jpeg' });
      await sut.fetchMedia(channel(base), mediaNode.id);
      expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual([MEDIA, DOWNLOAD]);
      expect(graph.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    });

    it('should return the bytes and the mime type of the node', async () => {
      graph.on(MEDIA, { status: 200, body: node() });
      graph.on(DOWNLOAD, { status: 200, body: bytes, contentType: 'application/octet-stream' });
      await expect(sut.fetchMedia(channel(base), mediaNode.id)).resolves.toEqual({ bytes, mimeType: 'image/jpeg', fileName: null });
    });

    it('should map an expired media id', async () => {
      graph.on(MEDIA, { status: 400, body: graphErrorBody(100, 'Invalid parameter') });
      expect(await failure(sut.fetchMedia(channel(base), mediaNode.id))).toMatchObject({ code: 'bad_request', providerCode: '100' });
    });

    it('should map a failed download', async () => {
      graph.on(MEDIA, { status: 200, body: node() });
      graph.on(DOWNLOAD, { status: 401, body: graphErrorBody(190, 'Token expired') });
      expect(await failure(sut.fetchMedia(channel(base), mediaNode.id))).toMatchObject({ code: 'auth' });
    });

    it('should fail without retry when the node has no url', async () => {
      graph.on(MEDIA, { status: 200, body: { ...mediaNode, url: undefined } });
      expect(await failure(sut.fetchMedia(channel(base), mediaNode.id))).toMatchObject({ code: 'unknown', retryable: false });
    });
  });
});
