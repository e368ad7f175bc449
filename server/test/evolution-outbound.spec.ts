import { randomUUID } from 'node:crypto';
import { useEvolutionApp } from './support/evolution-harness';
import type { FakeEvolution } from './support/fake-evolution';
import { postEvolution } from './support/channels';
import { evolutionEvent, fixtureText } from './support/fixtures';
import { eventually, type RecordingSocket, type TestApp } from './support/test-app';

describe('Evolution outbound (integration)', () => {
  const harness = useEvolutionApp({ COMMS_SEND_ATTEMPTS: '3' });
  let app: TestApp;
  let fake: FakeEvolution;
  let threadId: string;
  let socket: RecordingSocket;

  beforeAll(async () => {
    app = harness.app();
    fake = harness.fake();
    socket = await app.socket();
    await postEvolution(app, fixtureText('evolution/inbound_text.json'));
    threadId = (await socket.waitFor('new_message')).threadId;
  });

  const send = (body: string, clientMessageId = randomUUID()) =>
    app.post(`/api/comms/threads/${threadId}/messages`, { body, clientMessageId });
  const statusOf = (messageId: string, status: string) =>
    socket.waitFor('status_update', (d) => d.messageId === messageId && d.status === status);

  it('should send the v2 body to sendText with the apikey header and store the provider id as sent', async () => {
    const res = await send('Olá Ana! Entregamos sim em Campinas.');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending', direction: 'outbound', origin: 'agent' });
    const sent = await statusOf(res.body.id, 'sent');
    const request = fake.sends().find((r) => r.body.text === 'Olá Ana! Entregamos sim em Campinas.')!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/message/sendText/acme-br');
    expect(request.headers.apikey).toBe('evo-api-key');
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    expect(request.body).toEqual({ number: '5511987650001', text: 'Olá Ana! Entregamos sim em Campinas.' });
    expect(sent.providerMessageId).toMatch(/^3EB0/);
  });

  it('should return the first message for a repeated clientMessageId and call the provider once', async () => {
    const clientMessageId = randomUUID();
    const [a, b] = await Promise.all([send('only once please', clientMessageId), send('only once please', clientMessageId)]);
    expect(a.body.id).toBe(b.body.id);
    await statusOf(a.body.id, 'sent');
    const again = await send('only once please', clientMessageId);
    expect(again.body.id).toBe(a.body.id);
    expect(fake.sends().filter((r) => r.body.text === 'only once please')).toHaveLength(1);
  });

  it('should retry a 503 with backoff and end sent', async () => {
    fake.script('/message/sendText/acme-br', {
      status: 503,
      body: { status: 503, error: 'Service Unavailable', response: { message: ['busy'] } },
    });
    const res = await send('after a retry');
    await statusOf(res.body.id, 'sent');
    expect(fake.sends().filter((r) => r.body.text === 'after a retry')).toHaveLength(2);
  });

  it('should mark a 400 failed with the reason and not retry', async () => {
    fake.script('/message/sendText/acme-br', {
      status: 400,
      body: {
        status: 400,
        error: 'Bad Request',
        response: { message: [{ jid: '5511987650001@s.whatsapp.net', exists: false, number: '5511987650001' }] },
      },
    });
    const res = await send('to nowhere');
    const failed = await statusOf(res.body.id, 'failed');
    expect(failed.error).toMatchObject({ code: 'invalid_recipient', retryable: false, providerCode: '400' });
    expect(failed.error.message).toContain('not on WhatsApp');
    expect(fake.sends().filter((r) => r.body.text === 'to nowhere')).toHaveLength(1);
  });

  it('should send a failed message again on retry', async () => {
    fake.script('/message/sendText/acme-br', {
      status: 400,
      body: { status: 400, error: 'Bad Request', response: { message: [['bad']] } },
    });
    const res = await send('second chance');
    await statusOf(res.body.id, 'failed');
    const retry = await app.post(`/api/comms/messages/${res.body.id}/retry`, {});
    expect(retry.status).toBe(202);
    await statusOf(res.body.id, 'sent');
  });

  it('should never double our own send when Evolution echoes it as send.message and messages.upsert', async () => {
    const res = await send('echo me');
    const sent = await statusOf(res.body.id, 'sent');
    const key = { remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, id: sent.providerMessageId };
    const data = {
      key,
      pushName: 'Você',
      status: 'PENDING',
      message: { conversation: 'echo me' },
      messageType: 'conversation',
      messageTimestamp: 1763647420,
    };
    const a = await postEvolution(app, evolutionEvent('send.message', data));
    const b = await postEvolution(app, evolutionEvent('messages.upsert', { ...data, status: 'SERVER_ACK' }));
    expect([a.status, b.status]).toEqual([200, 200]);
    await eventually(
      async () => (await app.sql(`SELECT 1 FROM webhook_events WHERE id = $1 AND state <> 'pending'`, [a.body.eventId])).length,
      'echo processed',
    );
    const rows = await app.sql(`SELECT id FROM messages WHERE body = 'echo me'`);
    expect(rows).toEqual([{ id: res.body.id }]);
  });

  it('should claim an echo that arrives before the send response by matching the pending message', async () => {
    // The fake answers sendText only after the echo is in: Evolution's webhook and HTTP reply race.
    fake.script('/message/sendText/acme-br', {
      status: 503,
      body: { status: 503, error: 'Service Unavailable', response: { message: ['slow'] } },
    });
    const res = await send('racing echo');
    await eventually(async () => fake.sends().some((r) => r.body.text === 'racing echo'), 'first attempt');
    const echo = evolutionEvent('send.message', {
      key: { remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, id: 'ECHO-FIRST-1' },
      status: 'PENDING',
      message: { conversation: 'racing echo' },
      messageType: 'conversation',
      messageTimestamp: 1763647421,
    });
    await postEvolution(app, echo);
    await statusOf(res.body.id, 'sent');
    const rows = await app.sql(`SELECT id FROM messages WHERE body = 'racing echo'`);
    expect(rows).toEqual([{ id: res.body.id }]);
  });

  it('should keep the highest status when receipts arrive out of order or twice', async () => {
    const res = await send('receipts in any order');
    const { providerMessageId } = await statusOf(res.body.id, 'sent');
    const update = (status: string) =>
      evolutionEvent('messages.update', {
        keyId: providerMessageId,
        remoteJid: '5511987650001@s.whatsapp.net',
        fromMe: true,
        status,
        messageId: 'cuid',
      });
    await postEvolution(app, update('READ'));
    await postEvolution(app, update('DELIVERY_ACK'));
    await postEvolution(app, update('SERVER_ACK'));
    await postEvolution(app, update('READ'));
    await eventually(
      async () =>
        (await app.sql(`SELECT 1 FROM webhook_events WHERE dedupe_key LIKE $1 AND state = 'pending'`, [`%${providerMessageId}%`]))
          .length === 0,
      'receipts processed',
    );
    const [row] = await app.sql(`SELECT status FROM messages WHERE id = $1`, [res.body.id]);
    expect(row.status).toBe('read');
    const pushed = socket.events.filter((e) => e.type === 'status_update' && e.data.messageId === res.body.id).map((e) => e.data.status);
    expect(pushed).toEqual(['sent', 'read']);
  });

  it('should apply a receipt that overtakes the answer to our send', async () => {
    fake.script('/message/sendText/acme-br', {
      status: 201,
      delayMs: 400,
      body: {
        key: { remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, id: 'SLOW-SEND-1' },
        status: 'PENDING',
        message: { conversation: 'slow' },
      },
    });
    const res = await send('slow provider answer');
    await eventually(async () => fake.sends().some((r) => r.body.text === 'slow provider answer'), 'send in flight');
    const read = await postEvolution(
      app,
      evolutionEvent('messages.update', { keyId: 'SLOW-SEND-1', remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, status: 'READ' }),
    );
    expect(read.status).toBe(200);
    await statusOf(res.body.id, 'read');
  });

  it('should start a conversation with a number typed in national format', async () => {
    const res = await app.post('/api/comms/threads', {
      channelId: (await app.get('/api/comms/channels')).body[0].id,
      to: '(21) 97654-0002',
      body: 'Olá Carla, tudo bem?',
      clientMessageId: randomUUID(),
    });
    expect(res.status).toBe(202);
    expect(res.body.thread.address).toBe('+5521976540002');
    await statusOf(res.body.message.id, 'sent');
    expect(fake.sends().find((r) => r.body.text === 'Olá Carla, tudo bem?')?.body.number).toBe('5521976540002');
  });

  // Last: it leaves the channel flagged for re-authentication.
  it('should fail a send refused with 401 and flag the channel for re-authentication', async () => {
    fake.script('/message/sendText/acme-br', {
      status: 401,
      body: { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } },
    });
    const res = await send('with a revoked key');
    const failed = await statusOf(res.body.id, 'failed');
    expect(failed.error).toMatchObject({ code: 'auth', retryable: false });
    const channel = await socket.waitFor('channel_updated', (d) => d.channel.needsReauth === true);
    expect(channel.channel).toMatchObject({ state: 'needs_reauth', needsReauth: true });
    expect(fake.sends().filter((r) => r.body.text === 'with a revoked key')).toHaveLength(1);
  });
});
