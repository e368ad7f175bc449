import { useEvolutionApp } from './support/evolution-harness';
import type { FakeEvolution } from './support/fake-evolution';
import { postEvolution, WEBHOOK_TOKEN } from './support/channels';
import { evolutionEvent, fixture, fixtureText } from './support/fixtures';
import { eventually, type TestApp } from './support/test-app';

describe('Evolution inbound (integration)', () => {
  const harness = useEvolutionApp();
  let app: TestApp;
  let fake: FakeEvolution;

  beforeAll(() => {
    app = harness.app();
    fake = harness.fake();
  });

  it('should register our webhook with Evolution when the channel is created', () => {
    const set = fake.requests.find((r) => r.path === '/webhook/set/acme-br');
    expect(set?.headers.apikey).toBe('evo-api-key');
    expect(set?.body.webhook).toMatchObject({ enabled: true, byEvents: false, headers: { 'x-inbox-token': WEBHOOK_TOKEN } });
    expect(set?.body.webhook.url).toMatch(/\/api\/comms\/webhooks\/evolution$/);
    expect(set?.body.webhook.events).toEqual(
      expect.arrayContaining(['MESSAGES_UPSERT', 'MESSAGES_UPDATE', 'SEND_MESSAGE', 'CONNECTION_UPDATE']),
    );
  });

  it('should turn an inbound text into a thread and push new_message to a connected socket', async () => {
    const socket = await app.socket();
    const res = await postEvolution(app, fixtureText('evolution/inbound_text.json'));
    expect(res.status).toBe(200);
    const ev = await socket.waitFor('new_message', (d) => d.message.providerMessageId === 'A5F0C2D94B7E1A3C8E6B2D4F01A9C7E3');
    expect(ev.seq).toEqual(expect.any(Number));
    expect(ev.message).toMatchObject({
      direction: 'inbound',
      origin: 'contact',
      kind: 'text',
      body: 'Olá! Vocês entregam em Campinas? 🙂',
      sentAt: '2025-11-20T14:03:12.000Z',
    });
    expect(ev.thread).toMatchObject({ address: '+5511987650001', displayName: 'Ana Souza', unreadCount: 1 });
    const list = await app.get('/api/comms/threads');
    expect(list.body.items.map((t: any) => t.address)).toContain('+5511987650001');
  });

  it('should store a duplicate delivery once and answer it 200', async () => {
    const raw = fixtureText('evolution/inbound_image_caption.json');
    const first = await postEvolution(app, raw);
    const second = await postEvolution(app, raw);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.duplicate).toBe(true);
    await eventually(
      async () => (await app.sql(`SELECT 1 FROM messages WHERE provider_message_id = '3A7E5C19D0B24F86A3C1'`)).length === 1,
      'image stored',
    );
    const rows = await app.sql<{ n: string }>(`SELECT count(*) AS n FROM messages WHERE provider_message_id = '3A7E5C19D0B24F86A3C1'`);
    expect(rows[0].n).toBe('1');
    const events = await app.sql<{ n: string }>(`SELECT count(*) AS n FROM webhook_events WHERE dedupe_key LIKE '%3A7E5C19D0B24F86A3C1'`);
    expect(events[0].n).toBe('1');
  });

  it('should store one row and answer every caller when the same event arrives many times at once', async () => {
    const body = fixture('evolution/inbound_text.json');
    body.data.key.id = 'CONCURRENT-DUP-1';
    const raw = JSON.stringify(body);
    const answers = await Promise.all(Array.from({ length: 20 }, () => postEvolution(app, raw)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    await eventually(async () => (await app.sql(`SELECT 1 FROM messages WHERE provider_message_id = 'CONCURRENT-DUP-1'`)).length, 'stored');
    const rows = await app.sql(`SELECT id FROM webhook_events WHERE dedupe_key LIKE '%CONCURRENT-DUP-1'`);
    expect(rows).toHaveLength(1);
  });

  it('should serve a photo fetched once from Evolution, then from its own storage', async () => {
    const bytes = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    fake.media.set('3A7E5C19D0B24F86A3C1', { bytes, mimeType: 'image/jpeg', fileName: 'photo.jpg' });
    const [row] = await app.sql<{ id: string }>(`SELECT id FROM messages WHERE provider_message_id = '3A7E5C19D0B24F86A3C1'`);
    const page = (
      await app.get(
        `/api/comms/threads/${(await app.sql<{ thread_id: string }>(`SELECT thread_id FROM messages WHERE id = $1`, [row.id]))[0].thread_id}/messages`,
      )
    ).body;
    const view = page.items.find((m: any) => m.id === row.id);
    expect(view.media).toMatchObject({ mimeType: 'image/jpeg', size: 184233, url: `/api/comms/messages/${row.id}/media` });
    const fetches = () => fake.requests.filter((r) => r.path === '/chat/getBase64FromMediaMessage/acme-br');
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(app.url + view.media.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('content-disposition')).toBe(`inline; filename*=UTF-8''photo.jpg`);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
      counts.push(fetches().length);
    }
    // (The prefetch job already asked when the message arrived, before this test gave the fake
    // its bytes.) The second view comes from our storage: no further request to Evolution.
    expect(counts[1]).toBe(counts[0]);
    const last = fetches()[counts[0] - 1];
    expect(last.body).toEqual({ message: { key: { id: '3A7E5C19D0B24F86A3C1' } }, convertToMp4: false });
    expect(last.headers.apikey).toBe('evo-api-key');
  });

  it('should keep media that came inside the webhook (base64: true) without asking Evolution', async () => {
    const bytes = Buffer.from('ffd8ffe000104a464946', 'hex');
    await postEvolution(
      app,
      evolutionEvent('messages.upsert', {
        key: { remoteJid: '447700900123@s.whatsapp.net', fromMe: false, id: 'INLINE-IMG-1' },
        pushName: 'Oliver Bennett',
        message: { imageMessage: { mimetype: 'image/jpeg', caption: 'inline' }, base64: bytes.toString('base64') },
        messageType: 'imageMessage',
        messageTimestamp: 1763648450,
      }),
    );
    const row = await eventually(
      async () => (await app.sql<{ id: string }>(`SELECT id FROM messages WHERE provider_message_id = 'INLINE-IMG-1'`))[0],
      'image',
    );
    const before = fake.requests.length;
    const res = await fetch(`${app.url}/api/comms/messages/${row.id}/media`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    expect(fake.requests.length).toBe(before);
  });

  it('should make a customer-sent HTML file a download, never a page of ours', async () => {
    fake.media.set('HTML-DOC-1', { bytes: Buffer.from('<script>alert(1)</script>'), mimeType: 'text/html', fileName: 'invoice.html' });
    await postEvolution(
      app,
      evolutionEvent('messages.upsert', {
        key: { remoteJid: '447700900123@s.whatsapp.net', fromMe: false, id: 'HTML-DOC-1' },
        pushName: 'Oliver Bennett',
        message: { documentMessage: { mimetype: 'text/html', fileName: 'invoice.html' } },
        messageType: 'documentMessage',
        messageTimestamp: 1763648400,
      }),
    );
    const row = await eventually(
      async () => (await app.sql<{ id: string }>(`SELECT id FROM messages WHERE provider_message_id = 'HTML-DOC-1'`))[0],
      'document',
    );
    const res = await fetch(`${app.url}/api/comms/messages/${row.id}/media`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('should answer 502 naming the provider when the media cannot be fetched', async () => {
    await postEvolution(app, fixtureText('evolution/inbound_audio_ptt.json'));
    const row = await eventually(
      async () =>
        (await app.sql<{ id: string }>(`SELECT id FROM messages WHERE provider_message_id = 'B81C4E9F27A05D3C6E1F0A2B4D6C8E9A'`))[0],
      'voice note',
    );
    const res = await app.get(`/api/comms/messages/${row.id}/media`);
    expect(res.status).toBe(502);
    expect(res.body.message).toContain('evolution');
  });

  it('should store a group message, answer 200 and touch no thread', async () => {
    const before = await app.sql<{ n: string }>(`SELECT count(*) AS n FROM threads`);
    const res = await postEvolution(app, fixtureText('evolution/group_message.json'));
    expect(res.status).toBe(200);
    const ev = await eventually(
      async () => (await app.sql(`SELECT state, outcome FROM webhook_events WHERE id = $1 AND state <> 'pending'`, [res.body.eventId]))[0],
      'group processed',
    );
    expect(ev).toEqual({ state: 'ignored', outcome: 'ignored:group' });
    const after = await app.sql<{ n: string }>(`SELECT count(*) AS n FROM threads`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('should store a fromMe message typed on the phone as outbound from the device', async () => {
    await postEvolution(app, fixtureText('evolution/from_me_echo.json'));
    const row = await eventually(
      async () =>
        (await app.sql(`SELECT direction, origin, status, body FROM messages WHERE provider_message_id = '3AF2C8E1D4B7095A6C3E'`))[0],
      'device message',
    );
    expect(row).toEqual({
      direction: 'outbound',
      origin: 'device',
      status: 'sent',
      body: 'Hi Oliver, a replacement is on its way. Tracking: BR-55120-UK',
    });
  });

  it('should put a LID sender with remoteJidAlt and the same person by phone in one thread', async () => {
    const byLid = evolutionEvent('messages.upsert', {
      key: { remoteJid: '208475913362181@lid', remoteJidAlt: '5521976540002@s.whatsapp.net', fromMe: false, id: 'LID-MSG-1' },
      pushName: 'Carla Mendes',
      message: { conversation: 'Oi, sou a Carla' },
      messageType: 'conversation',
      messageTimestamp: 1763647500,
    });
    const lidOnly = evolutionEvent('messages.upsert', {
      key: { remoteJid: '208475913362181@lid', fromMe: false, id: 'LID-MSG-2' },
      pushName: 'Carla Mendes',
      message: { conversation: 'Segunda mensagem' },
      messageType: 'conversation',
      messageTimestamp: 1763647560,
    });
    await postEvolution(app, byLid);
    await eventually(
      async () => (await app.sql(`SELECT 1 FROM messages WHERE provider_message_id = 'LID-MSG-1'`)).length,
      'first LID message',
    );
    await postEvolution(app, lidOnly);
    await eventually(
      async () => (await app.sql(`SELECT 1 FROM messages WHERE provider_message_id = 'LID-MSG-2'`)).length,
      'second LID message',
    );
    const threads = await app.sql<{ address: string }>(
      `SELECT DISTINCT t.address FROM threads t JOIN messages m ON m.thread_id = t.id WHERE m.provider_message_id IN ('LID-MSG-1', 'LID-MSG-2')`,
    );
    expect(threads).toEqual([{ address: '+5521976540002' }]);
  });

  it('should canonicalise a pre-9th-digit Brazilian id and reply to the raw JID', async () => {
    await postEvolution(
      app,
      evolutionEvent('messages.upsert', {
        key: { remoteJid: '553198765432@s.whatsapp.net', fromMe: false, id: 'BR-LEGACY-1' },
        pushName: 'Bruno Lima',
        message: { conversation: 'Bom dia' },
        messageType: 'conversation',
        messageTimestamp: 1763647600,
      }),
    );
    const t = await eventually(
      async () => (await app.sql(`SELECT address, raw_address FROM threads WHERE address = '+5531998765432'`))[0],
      'Bruno thread',
    );
    expect(t).toEqual({ address: '+5531998765432', raw_address: '553198765432@s.whatsapp.net' });
  });

  it('should apply a reaction to its target message without creating a bubble', async () => {
    const before = await app.sql<{ n: string }>(`SELECT count(*) AS n FROM messages`);
    await postEvolution(
      app,
      evolutionEvent('messages.upsert', {
        key: { remoteJid: '5511987650001@s.whatsapp.net', fromMe: false, id: 'REACT-1' },
        pushName: 'Ana Souza',
        message: {
          reactionMessage: {
            key: { remoteJid: '5511987650001@s.whatsapp.net', fromMe: false, id: 'A5F0C2D94B7E1A3C8E6B2D4F01A9C7E3' },
            text: '❤️',
          },
        },
        messageType: 'reactionMessage',
        messageTimestamp: 1763647700,
      }),
    );
    const row = await eventually(
      async () =>
        (
          await app.sql<{ reactions: unknown[] }>(
            `SELECT reactions FROM messages WHERE provider_message_id = 'A5F0C2D94B7E1A3C8E6B2D4F01A9C7E3'`,
          )
        )[0]?.reactions.length,
      'reaction applied',
    );
    expect(row).toBe(1);
    const after = await app.sql<{ n: string }>(`SELECT count(*) AS n FROM messages`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('should apply a reaction and a receipt that arrive before their message', async () => {
    const key = { remoteJid: '447700900123@s.whatsapp.net', fromMe: true, id: 'LATE-TARGET-1' };
    await postEvolution(
      app,
      evolutionEvent('messages.upsert', {
        key: { remoteJid: '447700900123@s.whatsapp.net', fromMe: false, id: 'EARLY-REACTION-1' },
        pushName: 'Oliver Bennett',
        message: { reactionMessage: { key, text: '🙏' } },
        messageType: 'reactionMessage',
        messageTimestamp: 1763648300,
      }),
    );
    await postEvolution(
      app,
      evolutionEvent('messages.update', { keyId: 'LATE-TARGET-1', remoteJid: key.remoteJid, fromMe: true, status: 'READ' }),
    );
    await postEvolution(
      app,
      evolutionEvent('messages.upsert', {
        key,
        message: { conversation: 'Typed on the phone' },
        messageType: 'conversation',
        messageTimestamp: 1763648290,
      }),
    );
    const row = await eventually(
      async () =>
        (
          await app.sql(
            `SELECT status, reactions FROM messages WHERE provider_message_id = 'LATE-TARGET-1' AND status = 'read' AND reactions <> '[]'`,
          )
        )[0],
      'late target updated',
    );
    expect(row).toEqual({ status: 'read', reactions: [{ emoji: '🙏', by: '+447700900123' }] });
  });

  it('should link a reply that arrives before the message it quotes', async () => {
    const upsert = (id: string, text: string, ts: number, quoted?: string) =>
      evolutionEvent('messages.upsert', {
        key: { remoteJid: '447700900123@s.whatsapp.net', fromMe: false, id },
        pushName: 'Oliver Bennett',
        message: { conversation: text },
        ...(quoted ? { contextInfo: { stanzaId: quoted } } : {}),
        messageType: 'conversation',
        messageTimestamp: ts,
      });
    await postEvolution(app, upsert('QUOTING-1', 'this one', 1763648510, 'QUOTED-1'));
    await eventually(async () => (await app.sql(`SELECT 1 FROM messages WHERE provider_message_id = 'QUOTING-1'`)).length, 'reply stored');
    await postEvolution(app, upsert('QUOTED-1', 'which colour?', 1763648500));
    const row = await eventually(
      async () =>
        (
          await app.sql(
            `SELECT r.reply_to_id = q.id AS linked FROM messages r JOIN messages q ON q.provider_message_id = 'QUOTED-1'
             WHERE r.provider_message_id = 'QUOTING-1' AND r.reply_to_id IS NOT NULL`,
          )
        )[0],
      'reply linked',
    );
    expect(row.linked).toBe(true);
  });

  it('should keep a deleted message as a tombstone', async () => {
    await postEvolution(
      app,
      evolutionEvent('messages.delete', { remoteJid: '447700900123@s.whatsapp.net', fromMe: false, id: '3A7E5C19D0B24F86A3C1' }),
    );
    const row = await eventually(
      async () =>
        (await app.sql(`SELECT deleted_at FROM messages WHERE provider_message_id = '3A7E5C19D0B24F86A3C1' AND deleted_at IS NOT NULL`))[0],
      'tombstone',
    );
    expect(row.deleted_at).toBeInstanceOf(Date);
  });

  it('should mark the channel connected with its own number on connection.update', async () => {
    await postEvolution(app, fixtureText('evolution/connection_update_open.json'));
    const channel = await eventually(
      async () => (await app.get('/api/comms/channels')).body.find((c: any) => c.address === '+5511912340000'),
      'channel connected',
    );
    expect(channel.state).toBe('connected');
    // Secrets are write-only: the API shows that they are set, never what they are.
    expect(channel.secrets).toEqual({ apiKey: '••••-key', webhookToken: '••••ests' });
  });

  it('should refuse a wrong token with 401 and store nothing', async () => {
    const before = await app.sql<{ n: string }>(`SELECT count(*) AS n FROM webhook_events`);
    const body = fixture('evolution/inbound_text.json');
    body.data.key.id = 'WRONG-TOKEN-1';
    const res = await postEvolution(app, body, 'not-the-token');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'invalid x-inbox-token' });
    const noToken = await postEvolution(app, body, null);
    expect(noToken.status).toBe(401);
    const after = await app.sql<{ n: string }>(`SELECT count(*) AS n FROM webhook_events`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('should store a receipt for a message it never sent, answer 200 and change nothing', async () => {
    const res = await postEvolution(
      app,
      evolutionEvent('messages.update', { keyId: 'NEVER-SENT-1', remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, status: 'READ' }),
    );
    expect(res.status).toBe(200);
    const ev = await eventually(
      async () => (await app.sql(`SELECT state, outcome FROM webhook_events WHERE id = $1 AND state <> 'pending'`, [res.body.eventId]))[0],
      'receipt processed',
    );
    expect(ev).toEqual({ state: 'ignored', outcome: 'ignored:unknown_message' });
  });

  it('should test unsaved settings against Evolution without storing anything', async () => {
    const before = (await app.get('/api/comms/channels')).body.length;
    const res = await app.post('/api/comms/provider/test', {
      provider: 'evolution',
      config: { baseUrl: fake.url, instance: 'acme-br' },
      secrets: { apiKey: 'evo-api-key' },
    });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.checks[0]).toMatchObject({ name: 'connection', ok: true, detail: 'instance state: open' });
    expect(res.body.latencyMs).toEqual(expect.any(Number));
    expect((await app.get('/api/comms/channels')).body.length).toBe(before);
  });

  it('should report a closed instance as a failed connection check', async () => {
    fake.state = 'close';
    try {
      const channelId = (await app.get('/api/comms/channels')).body[0].id;
      const res = await app.post(`/api/comms/channels/${channelId}/test`, {});
      expect(res.body.ok).toBe(false);
      expect(res.body.checks[0]).toMatchObject({ name: 'connection', ok: false, detail: 'instance state: close' });
    } finally {
      fake.state = 'open';
    }
  });
});
