import { createHmac, randomUUID } from 'node:crypto';
import { FakeHttp } from './support/fake-http';
import { fixture } from './support/fixtures';
import { startTestApp, type RecordingSocket, type TestApp } from './support/test-app';

const APP_SECRET = 'meta-app-secret-demo';
const PHONE_NUMBER_ID = '109876543210987';
const WABA_ID = '102938475610293';
const TEMPLATES = `/v23.0/${WABA_ID}/message_templates`;
const MESSAGES = `/v23.0/${PHONE_NUMBER_ID}/messages`;
const FIELDS = 'name,language,status,category,components';
const sign = (raw: string) => `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`;

const ORDER_DELAYED_PT = {
  name: 'order_delayed_v2',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'UTILITY',
  id: '1203948576102938',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Atualização do pedido' },
    { type: 'BODY', text: 'Olá {{1}}, seu pedido {{2}} vai atrasar. Nova previsão de entrega: {{3}}.' },
    { type: 'FOOTER', text: 'Acme Brasil' },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Acompanhar', url: 'https://acme.example/p/{{1}}' }] },
  ],
};
const ORDER_DELAYED_EN = {
  name: 'order_delayed_v2',
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  id: '1203948576102939',
  components: [{ type: 'BODY', text: 'Hi {{1}}, order {{2}} is late. New delivery date: {{3}}.' }],
};
const HELLO_WORLD = {
  name: 'hello_world',
  language: 'en_US',
  status: 'APPROVED',
  category: 'UTILITY',
  id: '1203948576102940',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
    { type: 'BODY', text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification.' },
    { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
  ],
};
const SPRING_SALE = {
  name: 'spring_sale',
  language: 'en_US',
  status: 'PENDING',
  category: 'MARKETING',
  id: '1203948576102941',
  components: [{ type: 'BODY', text: 'Hi {{1}}, our spring sale starts today.' }],
};
const FEEDBACK = {
  name: 'feedback_request',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'MARKETING',
  id: '1203948576102942',
  components: [{ type: 'BODY', text: 'Como foi sua experiência, {{1}}?' }],
};

/**
 * WhatsApp templates on a Meta channel: the WABA's list synced through Graph's cursor paging,
 * and template sends, the only message Meta allows once the 24-hour window has closed.
 */
describe('Meta message templates (integration)', () => {
  let app: TestApp;
  let graph: FakeHttp;
  let socket: RecordingSocket;
  let channelId: string;
  let threadId: string;
  /** Sync rounds Meta has answered; from the second one on, a newly approved template is listed too. */
  let rounds = 0;
  let sends = 0;

  const send = (body: Record<string, unknown>, clientMessageId = randomUUID()) =>
    app.post(`/api/comms/threads/${threadId}/messages`, { clientMessageId, ...body });
  const template = (name: string, code: string, params: string[] | null) => ({
    name,
    language: { code },
    components: params ? [{ type: 'body', parameters: params.map((text) => ({ type: 'text', text })) }] : [],
  });

  beforeAll(async () => {
    graph = await new FakeHttp((call) => {
      if (call.headers.authorization !== 'Bearer EAAG-test-token')
        return { status: 401, body: { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } } };
      if (call.method === 'GET' && call.path === `/v23.0/${PHONE_NUMBER_ID}`)
        return { status: 200, body: fixture('meta/connection_state_open.json') };
      if (call.method === 'GET' && call.path === TEMPLATES) {
        const after = call.query.get('after');
        if (!after) {
          rounds++;
          return {
            status: 200,
            body: {
              data: [ORDER_DELAYED_PT, HELLO_WORLD],
              paging: {
                cursors: { before: 'QVFIUmJlZAm9yZAQ', after: 'QVFIUnBhZA2Ux' },
                next: `https://graph.facebook.com/v23.0/${WABA_ID}/message_templates?fields=${FIELDS}&limit=100&after=QVFIUnBhZA2Ux`,
              },
            },
          };
        }
        if (after === 'QVFIUnBhZA2Ux')
          return {
            status: 200,
            body: {
              data: [SPRING_SALE, ORDER_DELAYED_EN, ...(rounds > 1 ? [FEEDBACK] : [])],
              paging: { cursors: { before: 'QVFIUnBhZAm9yZAQ', after: 'QVFIUnBhZAm9yEnd' } },
            },
          };
      }
      if (call.method === 'POST' && call.path === MESSAGES) {
        // Meta's answer, with a wamid of its own for every message after the first.
        const reply = fixture('meta/send_text_response.json');
        if (++sends > 1) reply.messages[0].id = `wamid.TEST-${sends}`;
        return { status: 200, body: reply };
      }
      return { status: 404, body: { error: { message: 'Unknown path', type: 'OAuthException', code: 803 } } };
    }).start();
    app = await startTestApp();
    socket = await app.socket();
    const created = await app.post('/api/comms/channels', {
      provider: 'meta',
      name: 'Acme Brasil (Cloud API)',
      config: { phoneNumberId: PHONE_NUMBER_ID, wabaId: WABA_ID, graphBaseUrl: `${graph.url}/v23.0` },
      secrets: { accessToken: 'EAAG-test-token', appSecret: APP_SECRET, verifyToken: 'verify-me' },
    });
    expect(created.status).toBe(201);
    channelId = created.body.id;
    // Ana wrote in November 2025: the customer-service window is long closed.
    const old = fixture('meta/inbound_text.json');
    const value = old.entry[0].changes[0].value;
    value.contacts = [{ profile: { name: 'Ana Souza' }, wa_id: '5511987650001' }];
    value.messages[0].from = '5511987650001';
    value.messages[0].id = 'wamid.ANA-NOVEMBER-1';
    const raw = JSON.stringify(old);
    expect((await app.postRaw('/api/comms/webhooks/meta', raw, { 'x-hub-signature-256': sign(raw) })).status).toBe(200);
    threadId = (await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'wamid.ANA-NOVEMBER-1')).threadId;
  });

  afterAll(async () => {
    await app?.close();
    await graph?.stop();
  });

  describe('list and sync', () => {
    it('should fetch every page from the WABA on the first listing', async () => {
      const res = await app.get(`/api/comms/channels/${channelId}/templates`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        {
          name: 'hello_world',
          language: 'en_US',
          status: 'APPROVED',
          category: 'UTILITY',
          body: HELLO_WORLD.components[1].text,
          header: 'Hello World',
          footer: 'WhatsApp Business Platform sample message',
          bodyParameters: 0,
        },
        {
          name: 'order_delayed_v2',
          language: 'en_US',
          status: 'APPROVED',
          category: 'UTILITY',
          body: 'Hi {{1}}, order {{2}} is late. New delivery date: {{3}}.',
          header: null,
          footer: null,
          bodyParameters: 3,
        },
        {
          name: 'order_delayed_v2',
          language: 'pt_BR',
          status: 'APPROVED',
          category: 'UTILITY',
          body: 'Olá {{1}}, seu pedido {{2}} vai atrasar. Nova previsão de entrega: {{3}}.',
          header: 'Atualização do pedido',
          footer: 'Acme Brasil',
          bodyParameters: 3,
        },
        {
          name: 'spring_sale',
          language: 'en_US',
          status: 'PENDING',
          category: 'MARKETING',
          body: 'Hi {{1}}, our spring sale starts today.',
          header: null,
          footer: null,
          bodyParameters: 1,
        },
      ]);
      expect(Date.parse(res.body.syncedAt)).toBeGreaterThan(Date.now() - 60_000);
      const calls = graph.callsTo('GET', TEMPLATES);
      expect(calls).toHaveLength(2);
      expect(calls.map((c) => Object.fromEntries(c.query))).toEqual([
        { fields: FIELDS, limit: '100' },
        { fields: FIELDS, limit: '100', after: 'QVFIUnBhZA2Ux' },
      ]);
      expect(calls.every((c) => c.headers.authorization === 'Bearer EAAG-test-token')).toBe(true);
    });

    it('should answer later listings from the store without calling Meta', async () => {
      const first = await app.get(`/api/comms/channels/${channelId}/templates`);
      const again = await app.get(`/api/comms/channels/${channelId}/templates`);
      expect(again.body).toEqual(first.body);
      expect(graph.callsTo('GET', TEMPLATES)).toHaveLength(2);
    });

    it('should replace the list on sync with what Meta lists now', async () => {
      const before = (await app.get(`/api/comms/channels/${channelId}/templates`)).body.syncedAt;
      await new Promise((r) => setTimeout(r, 20));
      const res = await app.post(`/api/comms/channels/${channelId}/templates/sync`, {});
      expect(res.status).toBe(200);
      expect(res.body.items.map((t: { name: string; language: string }) => `${t.name}/${t.language}`)).toEqual([
        'feedback_request/pt_BR',
        'hello_world/en_US',
        'order_delayed_v2/en_US',
        'order_delayed_v2/pt_BR',
        'spring_sale/en_US',
      ]);
      expect(res.body.items[0]).toEqual({
        name: 'feedback_request',
        language: 'pt_BR',
        status: 'APPROVED',
        category: 'MARKETING',
        body: 'Como foi sua experiência, {{1}}?',
        header: null,
        footer: null,
        bodyParameters: 1,
      });
      expect(Date.parse(res.body.syncedAt)).toBeGreaterThan(Date.parse(before));
      expect(graph.callsTo('GET', TEMPLATES)).toHaveLength(4);
      expect((await app.get(`/api/comms/channels/${channelId}/templates`)).body).toEqual(res.body);
    });

    it('should keep the stored list and answer 502 when Meta refuses the sync', async () => {
      graph.script(`GET ${TEMPLATES}`, {
        status: 401,
        body: { error: { message: 'Error validating access token: Session has expired.', type: 'OAuthException', code: 190 } },
      });
      const res = await app.post(`/api/comms/channels/${channelId}/templates/sync`, {});
      expect(res.status).toBe(502);
      expect(res.body.message).toContain('Session has expired');
      expect((await app.get(`/api/comms/channels/${channelId}/templates`)).body.items).toHaveLength(5);
    });

    it('should answer 400 for a Meta channel without a wabaId and for a channel of another provider', async () => {
      const noWaba = await app.post('/api/comms/channels', {
        provider: 'meta',
        name: 'No WABA',
        config: { phoneNumberId: '109876543210999', graphBaseUrl: `${graph.url}/v23.0` },
        secrets: { accessToken: 'EAAG-test-token', appSecret: APP_SECRET, verifyToken: 'verify-me' },
      });
      expect(noWaba.status).toBe(201);
      const before = graph.callsTo('GET', TEMPLATES).length;
      for (const res of [
        await app.get(`/api/comms/channels/${noWaba.body.id}/templates`),
        await app.post(`/api/comms/channels/${noWaba.body.id}/templates/sync`, {}),
      ]) {
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(res.body.message).toContain('wabaId');
      }
      expect(graph.callsTo('GET', TEMPLATES)).toHaveLength(before);

      const mock = await app.post('/api/comms/channels', { provider: 'mock', name: 'Demo' });
      expect(mock.status).toBe(201);
      const res = await app.get(`/api/comms/channels/${mock.body.id}/templates`);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('mock channels have no message templates');
      expect((await app.post(`/api/comms/channels/${mock.body.id}/templates/sync`, {})).status).toBe(400);
    });
  });

  describe('sending with the window closed', () => {
    it('should refuse free text with 422 window_closed', async () => {
      const res = await send({ body: 'Oi Ana, tudo bem?' });
      expect(res.status).toBe(422);
      expect(res.body.message).toMatch(/^window_closed: /);
      expect(await app.sql(`SELECT 1 FROM messages WHERE body = 'Oi Ana, tudo bem?'`)).toHaveLength(0);
    });

    it("should send an approved template with Meta's exact request and show the rendered text", async () => {
      const request = fixture('meta/send_template_request.json');
      const res = await send({ template: request.template });
      expect(res.status).toBe(202);
      const rendered = 'Olá Ana, seu pedido 88412 vai atrasar. Nova previsão de entrega: 25/11.';
      expect(res.body).toMatchObject({
        threadId,
        direction: 'outbound',
        origin: 'agent',
        kind: 'template',
        body: rendered,
        status: 'pending',
        media: null,
      });
      const live = await socket.waitFor('new_message', (d) => d.message.id === res.body.id);
      expect(live.message).toMatchObject({ kind: 'template', body: rendered });
      expect(live.thread.lastMessagePreview).toBe(rendered);
      const sent = await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent');
      expect(sent.providerMessageId).toBe('wamid.HBgMNDQ3NzAwOTAwMTIzFQIAEhgUQzkwMEE0MDgzMjk3N0EyODhDNjYA');
      const calls = graph.callsTo('POST', MESSAGES);
      expect(calls).toHaveLength(1);
      expect(calls[0].headers.authorization).toBe('Bearer EAAG-test-token');
      expect(calls[0].headers['content-type']).toMatch(/^application\/json/);
      expect(calls[0].body).toEqual(request);
      const [row] = await app.sql(`SELECT kind, body, status, template FROM messages WHERE id = $1`, [res.body.id]);
      expect(row).toEqual({ kind: 'template', body: rendered, status: 'sent', template: request.template });
      const page = await app.get(`/api/comms/threads/${threadId}/messages`);
      expect(page.body.items.at(-1)).toMatchObject({ id: res.body.id, kind: 'template', body: rendered });
    });

    it('should send a template without parameters with no components at all', async () => {
      const res = await send({ template: template('hello_world', 'en_US', null) });
      expect(res.status).toBe(202);
      expect(res.body.body).toBe(HELLO_WORLD.components[1].text);
      await socket.waitFor('status_update', (d) => d.messageId === res.body.id && d.status === 'sent');
      expect(graph.callsTo('POST', MESSAGES).at(-1)!.body).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '5511987650001',
        type: 'template',
        template: { name: 'hello_world', language: { code: 'en_US' } },
      });
    });

    it('should refuse unknown, unapproved and wrongly filled templates before anything is stored or sent', async () => {
      const posts = graph.callsTo('POST', MESSAGES).length;
      const cases: [Record<string, unknown>, number, RegExp][] = [
        [template('no_such_template', 'pt_BR', ['Ana']), 422, /^template_unknown: /],
        [template('order_delayed_v2', 'es_ES', ['Ana', '88412', '25/11']), 422, /^template_unknown: /],
        [template('spring_sale', 'en_US', ['Ana']), 422, /^template_not_approved: "spring_sale" is PENDING/],
        [template('order_delayed_v2', 'pt_BR', ['Ana', '88412']), 400, /takes 3 body parameter\(s\), 2 given$/],
        [template('order_delayed_v2', 'pt_BR', ['Ana', '88412', '25/11', 'extra']), 400, /takes 3 body parameter\(s\), 4 given$/],
        [template('order_delayed_v2', 'pt_BR', null), 400, /takes 3 body parameter\(s\), 0 given$/],
        [template('hello_world', 'en_US', ['unexpected']), 400, /takes 0 body parameter\(s\), 1 given$/],
      ];
      for (const [tpl, status, message] of cases) {
        const clientMessageId = randomUUID();
        const res = await send({ template: tpl }, clientMessageId);
        expect({ tpl, status: res.status }).toEqual({ tpl, status });
        expect(res.body.message).toMatch(message);
        expect(await app.sql(`SELECT 1 FROM messages WHERE client_message_id = $1`, [clientMessageId])).toHaveLength(0);
      }
      expect(graph.callsTo('POST', MESSAGES)).toHaveLength(posts);
    });

    it('should refuse a malformed template with 400', async () => {
      const bad: unknown[] = [
        { name: 'Order Delayed', language: { code: 'pt_BR' } },
        { name: 'order_delayed_v2' },
        { name: 'order_delayed_v2', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'image' }] }] },
        { name: 'order_delayed_v2', language: { code: 'pt_BR' }, components: [{ type: 'footer', parameters: [] }] },
      ];
      for (const tpl of bad) {
        const res = await send({ template: tpl });
        expect({ tpl, status: res.status }).toEqual({ tpl, status: 400 });
      }
    });

    it('should start a conversation with a new number with a template, and refuse free text to it', async () => {
      const to = '+44 7700 900555';
      const text = await app.post('/api/comms/threads', { channelId, to, body: 'Hello there', clientMessageId: randomUUID() });
      expect(text.status).toBe(422);
      expect(text.body.message).toMatch(/^window_closed: /);
      // Refused before anything is written: no thread, no message for that number.
      expect(await app.sql(`SELECT 1 FROM threads WHERE address = '447700900555'`)).toHaveLength(0);
      expect(await app.sql(`SELECT 1 FROM messages WHERE body = 'Hello there'`)).toHaveLength(0);

      const clientMessageId = randomUUID();
      const start = () =>
        app.post('/api/comms/threads', { channelId, to, clientMessageId, template: template('hello_world', 'en_US', null) });
      const res = await start();
      expect(res.status).toBe(202);
      expect(res.body.message).toMatchObject({ kind: 'template', body: HELLO_WORLD.components[1].text, direction: 'outbound' });
      await socket.waitFor('status_update', (d) => d.messageId === res.body.message.id && d.status === 'sent');
      expect(graph.callsTo('POST', MESSAGES).at(-1)!.body).toMatchObject({ to: '447700900555', type: 'template' });

      // The same clientMessageId again (a retried POST): the same thread and message, nothing sent twice.
      const posts = graph.callsTo('POST', MESSAGES).length;
      const again = await start();
      expect(again.status).toBe(202);
      expect(again.body.message.id).toBe(res.body.message.id);
      expect(again.body.thread.id).toBe(res.body.thread.id);
      expect(graph.callsTo('POST', MESSAGES)).toHaveLength(posts);
    });

    it('should refuse a template on a channel of another provider with 400', async () => {
      const mock = (await app.get('/api/comms/channels')).body.find((c: { provider: string }) => c.provider === 'mock');
      const started = await app.post('/api/comms/threads', {
        channelId: mock.id,
        to: '+5511987650001',
        body: 'Olá pelo canal de demonstração',
        clientMessageId: randomUUID(),
      });
      expect(started.status).toBe(202);
      const res = await app.post(`/api/comms/threads/${started.body.thread.id}/messages`, {
        clientMessageId: randomUUID(),
        template: template('order_delayed_v2', 'pt_BR', ['Ana', '88412', '25/11']),
      });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('mock channels cannot send WhatsApp templates');
    });
  });
});
