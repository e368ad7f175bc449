import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { MediaLinks, PUBLIC_LINK_TTL_MS } from '../src/messages/media-links';
import { createEvolutionChannel, postEvolution } from './support/channels';
import { FakeEvolution } from './support/fake-evolution';
import { FakeHttp, multipartParts, type RecordedCall } from './support/fake-http';
import { fixture, fixtureText } from './support/fixtures';
import { eventually, startTestApp, type RecordingSocket, type TestApp } from './support/test-app';

const PUBLIC_BASE_URL = 'https://inbox.example.com';
const PHONE_NUMBER_ID = '109876543210987';
const APP_SECRET = 'meta-app-secret-demo';
const META_MEDIA_ID = '4490709327384033';
const ACCOUNT_SID = 'AC3f1e2d4c5b6a79880796a5b4c3d2e1f0';
const TWILIO_MESSAGES = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Binary content with every byte value, so any text decoding on the way would show. */
const binary = (magic: number[], size = 3000): Buffer => {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  return Buffer.concat([Buffer.from(magic), all, randomBytes(size)]);
};
const JPEG = [0xff, 0xd8, 0xff, 0xe0];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const OGG = [0x4f, 0x67, 0x67, 0x53];
const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d];

/**
 * Files an agent attaches: the raw-body upload, then one message per file through each
 * provider's media API (Evolution base64, WAHA base64, Meta multipart upload then id, Twilio
 * MediaUrl on a signed public link), and the bytes served back from our own store.
 */
describe('Outbound media (integration)', () => {
  let app: TestApp;
  let evolution: FakeEvolution;
  let waha: FakeHttp;
  let graph: FakeHttp;
  let twilio: FakeHttp;
  let socket: RecordingSocket;
  const threads: Record<'evolution' | 'waha' | 'meta' | 'twilio', string> = { evolution: '', waha: '', meta: '', twilio: '' };
  let twilioSids = 0;
  let metaSends = 0;

  const upload = async (bytes: Buffer, contentType: string, fileName?: string) => {
    const res = await fetch(`${app.url}/api/comms/uploads`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(fileName !== undefined ? { 'x-file-name': encodeURIComponent(fileName) } : {}) },
      body: bytes,
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text) };
  };
  const uploaded = async (bytes: Buffer, contentType: string, fileName: string): Promise<string> => {
    const res = await upload(bytes, contentType, fileName);
    expect(res.status).toBe(201);
    return res.body.uploadId as string;
  };
  const sendFile = (thread: string, body: Record<string, unknown>) =>
    app.post(`/api/comms/threads/${thread}/messages`, { clientMessageId: randomUUID(), ...body });
  const statusOf = (messageId: string, status: string) =>
    socket.waitFor('status_update', (d) => d.messageId === messageId && d.status === status);
  const metaSign = (raw: string) => `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`;
  const getBytes = async (path: string) => {
    const res = await fetch(app.url + path);
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  beforeAll(async () => {
    evolution = await new FakeEvolution().start();
    waha = await new FakeHttp((call) => {
      if (call.method === 'GET' && call.path === '/api/sessions/support-in')
        return { status: 200, body: fixture('waha/connection_state_open.json') };
      if (call.method === 'PUT' && call.path === '/api/sessions/support-in') return { status: 200, body: { name: 'support-in' } };
      if (call.method === 'POST' && /^\/api\/send(Image|Video|Voice|File)$/.test(call.path)) {
        const id = `3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
        const serialized = `true_${call.body.chatId}_${id}`;
        return {
          status: 201,
          body: { id: { fromMe: true, remote: call.body.chatId, id, _serialized: serialized }, ack: 0, hasMedia: true },
        };
      }
      return { status: 404, body: { statusCode: 404, message: 'Not Found', error: 'Not Found' } };
    }).start();
    graph = await new FakeHttp((call) => {
      if (call.method === 'GET' && call.path === `/v23.0/${PHONE_NUMBER_ID}`)
        return { status: 200, body: fixture('meta/connection_state_open.json') };
      if (call.method === 'POST' && call.path === `/v23.0/${PHONE_NUMBER_ID}/media`) return { status: 200, body: { id: META_MEDIA_ID } };
      if (call.method === 'POST' && call.path === `/v23.0/${PHONE_NUMBER_ID}/messages`) {
        // Meta's answer, with a wamid of its own for every message after the first.
        const reply = fixture('meta/send_text_response.json');
        if (++metaSends > 1) reply.messages[0].id = `wamid.TEST-${metaSends}`;
        return { status: 200, body: reply };
      }
      return { status: 404, body: { error: { message: 'Unknown path', type: 'OAuthException', code: 803 } } };
    }).start();
    twilio = await new FakeHttp((call) => {
      if (call.method === 'GET' && call.path === `/2010-04-01/Accounts/${ACCOUNT_SID}.json`)
        return { status: 200, body: fixture('twilio/connection_state_open.json') };
      if (call.method === 'POST' && call.path === TWILIO_MESSAGES) {
        const sid = `MM${String(++twilioSids).padStart(32, '0')}`;
        return { status: 201, body: { ...fixture<Record<string, unknown>>('twilio/send_text_response.json'), sid, to: call.body.To } };
      }
      return { status: 404, body: { code: 20404, message: `The requested resource ${call.path} was not found`, status: 404 } };
    }).start();
    app = await startTestApp({ PUBLIC_BASE_URL });
    socket = await app.socket();

    await createEvolutionChannel(app, evolution);
    await postEvolution(app, fixtureText('evolution/inbound_text.json'));
    threads.evolution = (await socket.waitFor('new_message', (d) => d.thread.address === '+5511987650001')).threadId;

    const wahaChannel = await app.post('/api/comms/channels', {
      provider: 'waha',
      name: 'Support India',
      config: { baseUrl: waha.url, session: 'support-in' },
      secrets: { apiKey: 'waha-api-key' },
    });
    expect(wahaChannel.status).toBe(201);
    await app.postRaw('/api/comms/webhooks/waha', fixtureText('waha/inbound_text.json'));
    threads.waha = (await socket.waitFor('new_message', (d) => d.thread.address === '+919876543210')).threadId;

    const metaChannel = await app.post('/api/comms/channels', {
      provider: 'meta',
      name: 'Acme US',
      config: { phoneNumberId: PHONE_NUMBER_ID, graphBaseUrl: `${graph.url}/v23.0` },
      secrets: { accessToken: 'EAAG-test-token', appSecret: APP_SECRET, verifyToken: 'verify' },
    });
    expect(metaChannel.status).toBe(201);
    // A message from the customer just now: the 24-hour window is open.
    const fresh = fixture('meta/inbound_text.json');
    fresh.entry[0].changes[0].value.messages[0].timestamp = String(Math.floor(Date.now() / 1000));
    const raw = JSON.stringify(fresh);
    await app.postRaw('/api/comms/webhooks/meta', raw, { 'x-hub-signature-256': metaSign(raw) });
    threads.meta = (await socket.waitFor('new_message', (d) => d.thread.address === '+12025550143')).threadId;

    const twilioChannel = await app.post('/api/comms/channels', {
      provider: 'twilio',
      name: 'UK SMS',
      config: { accountSid: ACCOUNT_SID, from: '+447700900500', apiBaseUrl: twilio.url },
      secrets: { authToken: '9c1d5e7f3a2b4c6d8e0f1a3b5c7d9e1f' },
    });
    expect(twilioChannel.status).toBe(201);
    const started = await app.post('/api/comms/threads', {
      channelId: twilioChannel.body.id,
      to: '+447700900123',
      body: 'Hi Oliver, the photo of your parcel follows.',
      clientMessageId: randomUUID(),
    });
    expect(started.status).toBe(202);
    threads.twilio = started.body.thread.id;
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([evolution?.stop(), waha?.stop(), graph?.stop(), twilio?.stop()]);
  });

  describe('POST /api/comms/uploads', () => {
    it('should store the raw body and answer its id, type, decoded name, size and kind', async () => {
      const bytes = binary(PNG);
      const res = await upload(bytes, 'image/png', 'Recibo de entrega ção.png');
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        uploadId: expect.stringMatching(UUID),
        mimeType: 'image/png',
        fileName: 'Recibo de entrega ção.png',
        size: bytes.length,
        kind: 'image',
      });
    });

    it('should classify each type by what it will be sent as', async () => {
      const kinds: [string, string, string][] = [
        ['image/jpeg', 'a.jpg', 'image'],
        ['image/webp', 'a.webp', 'sticker'],
        ['video/mp4', 'a.mp4', 'video'],
        ['audio/ogg; codecs=opus', 'a.ogg', 'audio'],
        ['application/pdf', 'a.pdf', 'document'],
        ['text/csv', 'a.csv', 'document'],
      ];
      for (const [type, name, kind] of kinds) {
        const res = await upload(binary([0x00], 64), type, name);
        expect({ type, status: res.status, kind: res.body.kind, mimeType: res.body.mimeType }).toEqual({
          type,
          status: 201,
          kind,
          mimeType: type.split(';')[0],
        });
      }
    });

    it('should keep JSON and plain-text documents byte for byte', async () => {
      // application/json and text/plain have parsers of their own: the upload must still be the file's bytes.
      const files: [Buffer, string, string][] = [
        [Buffer.from('{\n  "order": 88412,\n  "items": ["charger"]\n}\n'), 'application/json', 'order.json'],
        // Windows-1252 text, not valid UTF-8.
        [Buffer.from('Pedido n\xba 88412: devolu\xe7\xe3o aprovada\r\n', 'latin1'), 'text/plain', 'devolucao.txt'],
      ];
      for (const [bytes, type, name] of files) {
        const res = await upload(bytes, type, name);
        expect({ type, status: res.status }).toEqual({ type, status: 201 });
        expect(res.body).toMatchObject({ mimeType: type, fileName: name, size: bytes.length, kind: 'document' });
        const sent = await sendFile(threads.evolution, { attachments: [{ uploadId: res.body.uploadId }] });
        expect(sent.status).toBe(202);
        await statusOf(sent.body.id, 'sent');
        const served = await getBytes(`/api/comms/messages/${sent.body.id}/media`);
        expect(served.bytes.toString('hex')).toBe(bytes.toString('hex'));
        const call = evolution.requests.find((r) => r.path === '/message/sendMedia/acme-br' && r.body.fileName === name)!;
        expect(call.body.media).toBe(bytes.toString('base64'));
      }
    });

    it('should name a file without X-File-Name after its type', async () => {
      const res = await upload(binary(PDF, 32), 'application/pdf');
      expect(res.status).toBe(201);
      expect(res.body.fileName).toBe('file.pdf');
    });

    it('should refuse executables and HTML with 415', async () => {
      for (const type of ['application/x-msdownload', 'text/html']) {
        const res = await upload(Buffer.from('MZ\x90\x00 not for customers'), type, 'setup.exe');
        expect(res.status).toBe(415);
        expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
        expect(res.body.message).toContain(type);
      }
    });

    it('should refuse a file over 16 MB with 413', async () => {
      const res = await upload(Buffer.alloc(16 * 1024 * 1024 + 1, 1), 'video/mp4', 'long.mp4');
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(res.body.message).toContain('the limit is 16 MB');
    });

    it('should accept exactly 16 MB', async () => {
      const res = await upload(Buffer.alloc(16 * 1024 * 1024, 1), 'video/mp4', 'max.mp4');
      expect(res.status).toBe(201);
      expect(res.body.size).toBe(16 * 1024 * 1024);
    });

    it('should refuse an empty body with 400', async () => {
      const res = await upload(Buffer.alloc(0), 'image/png', 'empty.png');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });

  describe('Evolution', () => {
    it('should send an image as base64 to sendMedia with the caption, then mark it sent with key.id', async () => {
      const bytes = binary(JPEG);
      const uploadId = await uploaded(bytes, 'image/jpeg', 'pedido-88412.jpg');
      evolution.script('/message/sendMedia/acme-br', {
        status: 201,
        body: {
          key: { remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, id: '3EB0C4A1D2E3F4A5B6C7' },
          pushName: 'Você',
          status: 'PENDING',
          message: { imageMessage: { mimetype: 'image/jpeg', caption: 'Segue a foto do pedido' } },
          messageType: 'imageMessage',
          messageTimestamp: 1763647500,
          instanceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          source: 'web',
        },
      });
      const res = await sendFile(threads.evolution, { body: 'Segue a foto do pedido', attachments: [{ uploadId }] });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        direction: 'outbound',
        origin: 'agent',
        kind: 'image',
        body: 'Segue a foto do pedido',
        status: 'pending',
        media: {
          mimeType: 'image/jpeg',
          fileName: 'pedido-88412.jpg',
          size: bytes.length,
          durationSec: null,
          url: `/api/comms/messages/${res.body.id}/media`,
          downloadError: null,
        },
      });
      const sent = await statusOf(res.body.id, 'sent');
      expect(sent.providerMessageId).toBe('3EB0C4A1D2E3F4A5B6C7');
      const calls = evolution.requests.filter((r) => r.path === '/message/sendMedia/acme-br' && r.body.fileName === 'pedido-88412.jpg');
      expect(calls).toHaveLength(1);
      expect(calls[0].method).toBe('POST');
      expect(calls[0].headers.apikey).toBe('evo-api-key');
      expect(calls[0].body).toEqual({
        number: '5511987650001',
        mediatype: 'image',
        mimetype: 'image/jpeg',
        media: bytes.toString('base64'),
        fileName: 'pedido-88412.jpg',
        caption: 'Segue a foto do pedido',
      });
      const [row] = await app.sql(`SELECT kind, status, provider_message_id FROM messages WHERE id = $1`, [res.body.id]);
      expect(row).toEqual({ kind: 'image', status: 'sent', provider_message_id: '3EB0C4A1D2E3F4A5B6C7' });
    });

    it('should send a voice note to sendWhatsAppAudio with only number and audio', async () => {
      const bytes = binary(OGG);
      const uploadId = await uploaded(bytes, 'audio/ogg', 'nota de voz.ogg');
      const res = await sendFile(threads.evolution, { attachments: [{ uploadId, voice: true }] });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ kind: 'voice', body: null, media: { mimeType: 'audio/ogg', fileName: 'nota de voz.ogg' } });
      const sent = await statusOf(res.body.id, 'sent');
      const calls = evolution.requests.filter((r) => r.path === '/message/sendWhatsAppAudio/acme-br');
      expect(calls).toHaveLength(1);
      expect(calls[0].body).toEqual({ number: '5511987650001', audio: bytes.toString('base64') });
      expect(sent.providerMessageId).toMatch(/^3EB0[0-9A-F]{16}$/);
    });

    it('should send a document with its file name and caption, and audio without voice as a plain audio file', async () => {
      const pdf = binary(PDF);
      const pdfId = await uploaded(pdf, 'application/pdf', 'Nota fiscal 88412.pdf');
      const doc = await sendFile(threads.evolution, { body: 'Sua nota fiscal', attachments: [{ uploadId: pdfId }] });
      expect(doc.body.kind).toBe('document');
      await statusOf(doc.body.id, 'sent');
      const mp3 = binary([0x49, 0x44, 0x33]);
      const mp3Id = await uploaded(mp3, 'audio/mpeg', 'jingle.mp3');
      const audio = await sendFile(threads.evolution, { attachments: [{ uploadId: mp3Id }] });
      expect(audio.body.kind).toBe('audio');
      await statusOf(audio.body.id, 'sent');
      const sends = evolution.requests.filter((r) => r.path === '/message/sendMedia/acme-br');
      expect(sends.find((r) => r.body.fileName === 'Nota fiscal 88412.pdf')!.body).toEqual({
        number: '5511987650001',
        mediatype: 'document',
        mimetype: 'application/pdf',
        media: pdf.toString('base64'),
        fileName: 'Nota fiscal 88412.pdf',
        caption: 'Sua nota fiscal',
      });
      expect(sends.find((r) => r.body.fileName === 'jingle.mp3')!.body).toEqual({
        number: '5511987650001',
        mediatype: 'audio',
        mimetype: 'audio/mpeg',
        media: mp3.toString('base64'),
        fileName: 'jingle.mp3',
      });
    });

    it('should return the first message for a repeated clientMessageId and call sendMedia once', async () => {
      const uploadId = await uploaded(binary(JPEG), 'image/jpeg', 'once.jpg');
      const body = { clientMessageId: randomUUID(), body: 'only once', attachments: [{ uploadId }] };
      const [a, b] = await Promise.all([
        app.post(`/api/comms/threads/${threads.evolution}/messages`, body),
        app.post(`/api/comms/threads/${threads.evolution}/messages`, body),
      ]);
      expect([a.status, b.status]).toEqual([202, 202]);
      expect(b.body.id).toBe(a.body.id);
      await statusOf(a.body.id, 'sent');
      const again = await app.post(`/api/comms/threads/${threads.evolution}/messages`, body);
      expect(again.body.id).toBe(a.body.id);
      await new Promise((r) => setTimeout(r, 300));
      expect(evolution.requests.filter((r) => r.path === '/message/sendMedia/acme-br' && r.body.fileName === 'once.jpg')).toHaveLength(1);
      expect(await app.sql(`SELECT id FROM messages WHERE client_message_id = $1`, [body.clientMessageId])).toHaveLength(1);
    });

    it('should serve the sent file from our store with its type and name', async () => {
      const bytes = binary(JPEG, 5000);
      const uploadId = await uploaded(bytes, 'image/jpeg', 'caixa amassada.jpg');
      const res = await sendFile(threads.evolution, { attachments: [{ uploadId }] });
      const served = await getBytes(res.body.media.url);
      expect(served.status).toBe(200);
      expect(served.headers.get('content-type')).toBe('image/jpeg');
      expect(served.headers.get('content-length')).toBe(String(bytes.length));
      expect(served.headers.get('content-disposition')).toBe(`inline; filename*=UTF-8''${encodeURIComponent('caixa amassada.jpg')}`);
      expect(served.bytes.equals(bytes)).toBe(true);
      // A document is offered as a download, never rendered by the browser.
      const pdf = binary(PDF);
      const doc = await sendFile(threads.evolution, { attachments: [{ uploadId: await uploaded(pdf, 'application/pdf', 'x.pdf') }] });
      const servedDoc = await getBytes(doc.body.media.url);
      expect(servedDoc.headers.get('content-type')).toBe('application/pdf');
      expect(servedDoc.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''x.pdf`);
      expect(servedDoc.bytes.equals(pdf)).toBe(true);
    });

    it('should refuse an unknown upload, attachments with a template, and more than one attachment with 400', async () => {
      const uploadId = await uploaded(binary(JPEG, 10), 'image/jpeg', 'a.jpg');
      const cases: Record<string, unknown>[] = [
        { attachments: [{ uploadId: randomUUID() }] },
        { attachments: [{ uploadId }], template: { name: 'hello_world', language: { code: 'en_US' }, components: [] } },
        { attachments: [{ uploadId }, { uploadId }] },
        { attachments: [] },
        { attachments: [{ uploadId: 'not-a-uuid' }] },
      ];
      for (const c of cases) {
        const clientMessageId = randomUUID();
        const res = await app.post(`/api/comms/threads/${threads.evolution}/messages`, { clientMessageId, ...c });
        expect({ case: c, status: res.status, error: res.body.error }).toEqual({ case: c, status: 400, error: 'Bad Request' });
        expect(await app.sql(`SELECT 1 FROM messages WHERE client_message_id = $1`, [clientMessageId])).toHaveLength(0);
      }
    });
  });

  describe('WAHA', () => {
    it('should send an image to sendImage with the file inline and the caption', async () => {
      const bytes = binary(PNG);
      const uploadId = await uploaded(bytes, 'image/png', 'invoice-IN-20931.png');
      const res = await sendFile(threads.waha, { body: 'Your invoice for #IN-20931', attachments: [{ uploadId }] });
      expect(res.status).toBe(202);
      const sent = await statusOf(res.body.id, 'sent');
      const calls = waha.callsTo('POST', '/api/sendImage');
      expect(calls).toHaveLength(1);
      expect(calls[0].headers['x-api-key']).toBe('waha-api-key');
      expect(calls[0].body).toEqual({
        session: 'support-in',
        chatId: '919876543210@c.us',
        file: { mimetype: 'image/png', filename: 'invoice-IN-20931.png', data: bytes.toString('base64') },
        caption: 'Your invoice for #IN-20931',
        reply_to: null,
      });
      expect(sent.providerMessageId).toMatch(/^true_919876543210@c\.us_3EB0[0-9A-F]{16}$/);
    });

    it('should send a document to sendFile and a voice note to sendVoice', async () => {
      const pdf = binary(PDF);
      const doc = await sendFile(threads.waha, {
        body: 'Warranty card',
        attachments: [{ uploadId: await uploaded(pdf, 'application/pdf', 'warranty.pdf') }],
      });
      await statusOf(doc.body.id, 'sent');
      const ogg = binary(OGG);
      const voice = await sendFile(threads.waha, {
        body: 'ignored caption',
        attachments: [{ uploadId: await uploaded(ogg, 'audio/ogg', 'v.ogg'), voice: true }],
      });
      expect(voice.body.kind).toBe('voice');
      await statusOf(voice.body.id, 'sent');
      expect(waha.callsTo('POST', '/api/sendFile').map((c) => c.body)).toEqual([
        {
          session: 'support-in',
          chatId: '919876543210@c.us',
          file: { mimetype: 'application/pdf', filename: 'warranty.pdf', data: pdf.toString('base64') },
          caption: 'Warranty card',
          reply_to: null,
        },
      ]);
      expect(waha.callsTo('POST', '/api/sendVoice').map((c) => c.body)).toEqual([
        {
          session: 'support-in',
          chatId: '919876543210@c.us',
          file: { mimetype: 'audio/ogg', filename: 'v.ogg', data: ogg.toString('base64') },
          reply_to: null,
          convert: true,
        },
      ]);
    });
  });

  describe('Meta', () => {
    it('should upload the file as multipart, then send the returned media id with the caption', async () => {
      const bytes = binary(JPEG);
      const uploadId = await uploaded(bytes, 'image/jpeg', 'jacket-size-M.jpg');
      const res = await sendFile(threads.meta, { body: 'Here is the jacket in size M', attachments: [{ uploadId }] });
      expect(res.status).toBe(202);
      const sent = await statusOf(res.body.id, 'sent');
      expect(sent.providerMessageId).toBe('wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUQzkwMEE0MDgzMjk3N0EyODhDNjYA');

      const uploads = graph.callsTo('POST', `/v23.0/${PHONE_NUMBER_ID}/media`);
      expect(uploads).toHaveLength(1);
      const up = uploads[0];
      expect(up.headers.authorization).toBe('Bearer EAAG-test-token');
      expect(up.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      const parts = multipartParts(up);
      expect(parts.map((p) => p.name).sort()).toEqual(['file', 'messaging_product', 'type']);
      expect(parts.find((p) => p.name === 'messaging_product')!.data.toString()).toBe('whatsapp');
      expect(parts.find((p) => p.name === 'type')!.data.toString()).toBe('image/jpeg');
      const file = parts.find((p) => p.name === 'file')!;
      expect(file.fileName).toBe('jacket-size-M.jpg');
      expect(file.contentType).toBe('image/jpeg');
      expect(file.data.equals(bytes)).toBe(true);

      const messages = graph.callsTo('POST', `/v23.0/${PHONE_NUMBER_ID}/messages`);
      expect(messages).toHaveLength(1);
      expect(messages[0].at).toBeGreaterThanOrEqual(up.at);
      expect(graph.calls.indexOf(messages[0])).toBeGreaterThan(graph.calls.indexOf(up));
      expect(messages[0].body).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '12025550143',
        type: 'image',
        image: { id: META_MEDIA_ID, caption: 'Here is the jacket in size M' },
      });
    });

    it('should send a document by id with its caption and file name', async () => {
      const pdf = binary(PDF);
      const res = await sendFile(threads.meta, {
        body: 'Size chart',
        attachments: [{ uploadId: await uploaded(pdf, 'application/pdf', 'size-chart.pdf') }],
      });
      await statusOf(res.body.id, 'sent');
      const up = graph.callsTo('POST', `/v23.0/${PHONE_NUMBER_ID}/media`).at(-1)!;
      expect(
        multipartParts(up)
          .find((p) => p.name === 'file')!
          .data.equals(pdf),
      ).toBe(true);
      expect(graph.callsTo('POST', `/v23.0/${PHONE_NUMBER_ID}/messages`).at(-1)!.body).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '12025550143',
        type: 'document',
        document: { id: META_MEDIA_ID, caption: 'Size chart', filename: 'size-chart.pdf' },
      });
    });
  });

  describe('Twilio MediaUrl: signed public links', () => {
    let messageId: string;
    let mediaUrl: URL;
    let bytes: Buffer;

    beforeAll(async () => {
      bytes = binary(JPEG);
      const res = await sendFile(threads.twilio, {
        body: 'Your parcel',
        attachments: [{ uploadId: await uploaded(bytes, 'image/jpeg', 'parcel.jpg') }],
      });
      messageId = res.body.id;
      await statusOf(messageId, 'sent');
      const call: RecordedCall = twilio.callsTo('POST', TWILIO_MESSAGES).find((c) => c.body.MediaUrl)!;
      expect(call.body).toEqual({
        To: '+447700900123',
        From: '+447700900500',
        Body: 'Your parcel',
        MediaUrl: expect.any(String),
        StatusCallback: `${PUBLIC_BASE_URL}/api/comms/webhooks/twilio`,
      });
      mediaUrl = new URL(call.body.MediaUrl);
    });

    const fetchPublic = (search: string, id = messageId) => getBytes(`/api/comms/media/public/${id}${search}`);

    it('should give Twilio a link on the public base URL naming the message, an expiry and a signature', () => {
      expect(mediaUrl.origin).toBe(PUBLIC_BASE_URL);
      expect(mediaUrl.pathname).toBe(`/api/comms/media/public/${messageId}`);
      const exp = Number(mediaUrl.searchParams.get('exp'));
      // About 24 hours from now.
      expect(Math.abs(exp * 1000 - (Date.now() + PUBLIC_LINK_TTL_MS))).toBeLessThan(60_000);
      expect(mediaUrl.searchParams.get('sig')).toMatch(/^[\w-]{43}$/);
    });

    it('should serve the bytes without a session for the valid link', async () => {
      const res = await fetchPublic(mediaUrl.search);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.bytes.equals(bytes)).toBe(true);
    });

    it('should answer 403 JSON for a tampered signature, another message or a moved expiry', async () => {
      const sig = mediaUrl.searchParams.get('sig')!;
      const exp = mediaUrl.searchParams.get('exp')!;
      const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
      const other = (await app.sql<{ id: string }>(`SELECT id FROM messages WHERE kind = 'image' AND id <> $1 LIMIT 1`, [messageId]))[0].id;
      const cases = [
        fetchPublic(`?exp=${exp}&sig=${flipped}`),
        fetchPublic(`?exp=${exp}`),
        fetchPublic(`?exp=${Number(exp) + 3600}&sig=${sig}`),
        fetchPublic(`?exp=${exp}&sig=${sig}`, other),
      ];
      for (const res of await Promise.all(cases)) {
        expect(res.status).toBe(403);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(JSON.parse(res.bytes.toString())).toEqual({
          statusCode: 403,
          error: 'Forbidden',
          message: 'this media link is invalid or has expired',
        });
      }
    });

    it('should answer 403 for a correctly signed link that has expired', async () => {
      const links = new MediaLinks('test-encryption-key', PUBLIC_BASE_URL);
      // Same key as the server's: a fresh link made here is accepted, the same link a day old is not.
      const fresh = new URL(links.url(messageId));
      expect((await fetchPublic(fresh.search)).status).toBe(200);
      const old = new URL(links.url(messageId, Date.now() - PUBLIC_LINK_TTL_MS - 60_000));
      const res = await fetchPublic(old.search);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.bytes.toString()).message).toBe('this media link is invalid or has expired');
    });
  });

  it('should end every file message sent, each stored once with its kind', async () => {
    await eventually(async () => (await app.sql(`SELECT 1 FROM messages WHERE status = 'pending'`)).length === 0, 'all sends done');
    const rows = await app.sql<{ kind: string; status: string }>(
      `SELECT DISTINCT kind, status FROM messages WHERE direction = 'outbound' AND media IS NOT NULL ORDER BY kind`,
    );
    expect(rows).toEqual([
      { kind: 'audio', status: 'sent' },
      { kind: 'document', status: 'sent' },
      { kind: 'image', status: 'sent' },
      { kind: 'voice', status: 'sent' },
    ]);
  });
});
