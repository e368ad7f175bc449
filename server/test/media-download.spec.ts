import { createHmac, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeHttp, type FakeReply } from './support/fake-http';
import { fixture } from './support/fixtures';
import { eventually, startTestApp, type RecordingSocket, type TestApp } from './support/test-app';

const HMAC_KEY = 'waha-hmac-demo-key';
const APP_SECRET = 'meta-app-secret-demo';
const PHONE_NUMBER_ID = '109876543210987';
const MAX_BYTES = 64 * 1024;
const FIXTURE_ID = 'false_447700900123@c.us_3A5D0C77E1B94F2A6C18';

/** A photo's bytes: every byte value, so any text decoding on the way would show. */
const photo = (size = 4000): Buffer => {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), all, randomBytes(size)]);
};

/**
 * Inbound media is fetched from the provider as soon as the message is stored (WAHA deletes its
 * files after minutes, Meta's URLs expire), retried, and a final failure is shown on the message.
 */
describe('Prompt inbound media download (integration)', () => {
  let app: TestApp;
  let waha: FakeHttp;
  let graph: FakeHttp;
  let socket: RecordingSocket;
  const mediaDir = join(tmpdir(), `sbtest-media-download-${randomBytes(4).toString('hex')}`);
  /** What WAHA serves under /api/files/...: bytes, or a status to fail with. */
  const files = new Map<string, Buffer | number>();
  const metaMedia = new Map<string, Buffer>();

  const postWaha = (body: unknown) => {
    const raw = JSON.stringify(body);
    return app.postRaw('/api/comms/webhooks/waha', raw, {
      'x-webhook-hmac': createHmac('sha512', HMAC_KEY).update(raw).digest('hex'),
      'x-webhook-hmac-algorithm': 'sha512',
    });
  };
  /** The fixture's photo message, as another message with its own id, caption and file. */
  const inboundImage = (waId: string, caption: string) => {
    const ev = fixture('waha/inbound_image_caption.json');
    const id = `false_447700900123@c.us_${waId}`;
    ev.id = `evt_${waId.toLowerCase()}`;
    ev.payload.id = id;
    ev.payload.body = caption;
    ev.payload.media.url = `https://waha.acme.example/api/files/support-in/${id}.jpeg`;
    ev.payload._data.key.id = waId;
    ev.payload._data.message.imageMessage.caption = caption;
    return { ev, id, path: `/api/files/support-in/${id}.jpeg` };
  };
  const downloads = (path: string) => waha.callsTo('GET', path);
  const stored = (tenantId: string, messageId: string) => existsSync(join(mediaDir, tenantId, messageId));
  const getMedia = async (messageId: string) => {
    const res = await fetch(`${app.url}/api/comms/messages/${messageId}/media`);
    return { status: res.status, contentType: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const messageOf = (providerMessageId: string) =>
    socket.waitFor('new_message', (d) => d.message.providerMessageId === providerMessageId).then((d) => d.message);
  const tenantId = async () => (await app.sql<{ id: string }>(`SELECT id FROM tenants LIMIT 1`))[0].id;

  beforeAll(async () => {
    waha = await new FakeHttp((call): FakeReply => {
      if (call.method === 'GET' && call.path === '/api/sessions/support-in')
        return { status: 200, body: fixture('waha/connection_state_open.json') };
      if (call.method === 'PUT' && call.path === '/api/sessions/support-in') return { status: 200, body: { name: 'support-in' } };
      if (call.method === 'GET' && call.path.startsWith('/api/files/')) {
        if (call.headers['x-api-key'] !== 'waha-api-key') return { status: 401, body: { message: 'Unauthorized', statusCode: 401 } };
        const file = files.get(call.path);
        if (Buffer.isBuffer(file)) return { status: 200, body: null, bytes: file, contentType: 'image/jpeg' };
        if (typeof file === 'number') return { status: file, body: { statusCode: file, message: 'Internal server error' } };
        return { status: 404, body: { statusCode: 404, message: `Cannot GET ${call.path}`, error: 'Not Found' } };
      }
      return { status: 404, body: { statusCode: 404, message: 'Not Found', error: 'Not Found' } };
    }).start();
    graph = await new FakeHttp((call): FakeReply => {
      if (call.headers.authorization !== 'Bearer EAAG-test-token')
        return { status: 401, body: { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } } };
      if (call.method === 'GET' && call.path === `/v23.0/${PHONE_NUMBER_ID}`)
        return { status: 200, body: fixture('meta/connection_state_open.json') };
      const node = /^\/v23\.0\/(\d+)$/.exec(call.path);
      if (call.method === 'GET' && node && metaMedia.has(node[1])) {
        const body = fixture('meta/media_get_response.json');
        // The short-lived lookaside URL, on this fake instead of fbsbx.com.
        body.url = `${graph.url}/whatsapp_business/attachments/?mid=${node[1]}&ext=1763647992&hash=ATuTBohHMw8J4UxYZpchCA5eQrS0`;
        body.id = node[1];
        return { status: 200, body };
      }
      if (call.method === 'GET' && call.path === '/whatsapp_business/attachments/') {
        const bytes = metaMedia.get(call.query.get('mid') ?? '');
        if (bytes) return { status: 200, body: null, bytes, contentType: 'image/jpeg' };
      }
      return { status: 404, body: { error: { message: 'Unknown path', type: 'OAuthException', code: 803 } } };
    }).start();
    app = await startTestApp({
      COMMS_MEDIA_FETCH_ATTEMPTS: '2',
      COMMS_MEDIA_FETCH_BACKOFF_MS: '50',
      COMMS_MEDIA_MAX_BYTES: String(MAX_BYTES),
      COMMS_MEDIA_STORAGE_DIR: mediaDir,
    });
    socket = await app.socket();
    const created = await app.post('/api/comms/channels', {
      provider: 'waha',
      name: 'Support India',
      config: { baseUrl: waha.url, session: 'support-in' },
      secrets: { apiKey: 'waha-api-key', hmacKey: HMAC_KEY },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([waha?.stop(), graph?.stop()]);
    await rm(mediaDir, { recursive: true, force: true });
  });

  it('should fetch an inbound photo from WAHA before anybody opens it, and serve it after WAHA deleted it', async () => {
    const bytes = photo();
    const path = `/api/files/support-in/${FIXTURE_ID}.jpeg`;
    files.set(path, bytes);
    expect((await postWaha(fixture('waha/inbound_image_caption.json'))).status).toBe(200);
    const message = await messageOf(FIXTURE_ID);
    expect(message).toMatchObject({
      kind: 'image',
      body: 'Is this the right charger?',
      media: { mimeType: 'image/jpeg', url: `/api/comms/messages/${message.id}/media`, downloadError: null },
    });
    const tenant = await tenantId();
    await eventually(async () => stored(tenant, message.id), 'the photo stored without being opened');
    // From the channel's baseUrl (not the host in media.url), with the API key.
    expect(downloads(path)).toHaveLength(1);
    expect(downloads(path)[0].headers['x-api-key']).toBe('waha-api-key');
    // WAHA deletes its files after WHATSAPP_FILES_LIFETIME: ours stays.
    files.delete(path);
    const served = await getMedia(message.id);
    expect(served.status).toBe(200);
    expect(served.contentType).toBe('image/jpeg');
    expect(served.bytes.equals(bytes)).toBe(true);
    expect(downloads(path)).toHaveLength(1);
    const [row] = await app.sql(`SELECT media->'downloadError' AS e FROM messages WHERE id = $1`, [message.id]);
    expect(row.e).toBeNull();
  });

  it('should retry a failing download COMMS_MEDIA_FETCH_ATTEMPTS times, then show the error live', async () => {
    const { ev, id, path } = inboundImage('3A5D0C77E1B94F2A6C19', 'And the cable');
    files.set(path, 500);
    await postWaha(ev);
    const message = await messageOf(id);
    const updated = await socket.waitFor('message_updated', (d) => d.message.id === message.id && d.message.media?.downloadError);
    expect(updated.threadId).toBe(message.threadId);
    expect(updated.message).toMatchObject({
      id: message.id,
      kind: 'image',
      body: 'And the cable',
      media: { mimeType: 'image/jpeg', url: `/api/comms/messages/${message.id}/media`, downloadError: 'WAHA 500 downloading media' },
    });
    expect(downloads(path)).toHaveLength(2);
    // Retried with backoff, not hammered.
    expect(downloads(path)[1].at - downloads(path)[0].at).toBeGreaterThanOrEqual(40);
    await new Promise((r) => setTimeout(r, 300));
    expect(downloads(path)).toHaveLength(2);
    const [row] = await app.sql(`SELECT media->>'downloadError' AS e FROM messages WHERE id = $1`, [message.id]);
    expect(row.e).toBe('WAHA 500 downloading media');
    const page = await app.get(`/api/comms/threads/${message.threadId}/messages`);
    expect(page.body.items.find((m: { id: string }) => m.id === message.id).media.downloadError).toBe('WAHA 500 downloading media');
  });

  it('should clear the error when opening the media later succeeds', async () => {
    const { id, path } = inboundImage('3A5D0C77E1B94F2A6C19', 'And the cable');
    const [{ id: messageId }] = await app.sql<{ id: string }>(`SELECT id FROM messages WHERE provider_message_id = $1`, [id]);
    const bytes = photo(9000);
    files.set(path, bytes);
    const served = await getMedia(messageId);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(bytes)).toBe(true);
    const cleared = await socket.waitFor('message_updated', (d) => d.message.id === messageId && d.message.media?.downloadError === null);
    expect(cleared.message.media).toMatchObject({ mimeType: 'image/jpeg', url: `/api/comms/messages/${messageId}/media` });
    const [row] = await app.sql(`SELECT media->'downloadError' AS e FROM messages WHERE id = $1`, [messageId]);
    expect(row.e).toBeNull();
    // Kept now: WAHA is not asked again.
    files.delete(path);
    expect((await getMedia(messageId)).bytes.equals(bytes)).toBe(true);
    expect(downloads(path)).toHaveLength(3);
  });

  it('should not retry a file WAHA no longer has, and say so', async () => {
    const { ev, id, path } = inboundImage('3A5D0C77E1B94F2A6C1A', 'Too late');
    await postWaha(ev);
    const message = await messageOf(id);
    const updated = await socket.waitFor('message_updated', (d) => d.message.id === message.id && d.message.media?.downloadError);
    expect(updated.message.media.downloadError).toBe('WAHA no longer has this file (files expire after WHATSAPP_FILES_LIFETIME)');
    await new Promise((r) => setTimeout(r, 300));
    expect(downloads(path)).toHaveLength(1);
    const opened = await getMedia(message.id);
    expect(opened.status).toBe(502);
    expect(JSON.parse(opened.bytes.toString()).message).toContain('WAHA no longer has this file');
  });

  it('should refuse a file over COMMS_MEDIA_MAX_BYTES without retrying', async () => {
    const { ev, id, path } = inboundImage('3A5D0C77E1B94F2A6C1B', 'A huge photo');
    files.set(path, photo(MAX_BYTES));
    await postWaha(ev);
    const message = await messageOf(id);
    const updated = await socket.waitFor('message_updated', (d) => d.message.id === message.id && d.message.media?.downloadError);
    expect(updated.message.media.downloadError).toMatch(/^the file is [\d.]+ MB, over the [\d.]+ MB limit \(COMMS_MEDIA_MAX_BYTES\)$/);
    await new Promise((r) => setTimeout(r, 300));
    expect(downloads(path)).toHaveLength(1);
    expect(stored(await tenantId(), message.id)).toBe(false);
  });

  it("should fetch a Meta photo at once through the media id's short-lived URL", async () => {
    const created = await app.post('/api/comms/channels', {
      provider: 'meta',
      name: 'Acme US',
      config: { phoneNumberId: PHONE_NUMBER_ID, graphBaseUrl: `${graph.url}/v23.0` },
      secrets: { accessToken: 'EAAG-test-token', appSecret: APP_SECRET, verifyToken: 'verify-me' },
    });
    expect(created.status).toBe(201);
    const bytes = photo(6000);
    metaMedia.set('1530927304811957', bytes);
    const raw = JSON.stringify(fixture('meta/inbound_image_caption.json'));
    const sig = `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`;
    expect((await app.postRaw('/api/comms/webhooks/meta', raw, { 'x-hub-signature-256': sig })).status).toBe(200);
    const message = await messageOf('wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUMkRDODg2MUE4M0JDMTQ1MUQwNzgA');
    expect(message).toMatchObject({ kind: 'image', body: 'Box was crushed on arrival', media: { mimeType: 'image/jpeg' } });
    await eventually(async () => stored(await tenantId(), message.id), 'the Meta photo stored without being opened');
    const lookups = graph.callsTo('GET', '/v23.0/1530927304811957');
    const fetched = graph.callsTo('GET', '/whatsapp_business/attachments/');
    expect([lookups.length, fetched.length]).toEqual([1, 1]);
    expect(fetched[0].query.get('mid')).toBe('1530927304811957');
    expect(fetched[0].headers.authorization).toBe('Bearer EAAG-test-token');
    expect(graph.calls.indexOf(fetched[0])).toBeGreaterThan(graph.calls.indexOf(lookups[0]));
    metaMedia.delete('1530927304811957');
    const served = await getMedia(message.id);
    expect(served.status).toBe(200);
    expect(served.bytes.equals(bytes)).toBe(true);
  });
});
