import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, fixtureBytes, MANIFEST, webhookFixtures, type ManifestEntry } from '../../../test/support/fixtures';
import { ProviderError } from '../provider-error';
import { type InboundMessage, type NeutralEvent, type WebhookRequest } from '../provider.types';
import { describeEvolutionWebhook, parseEvolutionWebhook } from './evolution.parse';
import type { EvolutionKey, EvolutionMessageContent, EvolutionUpsertData } from './evolution.types';
import { rejection } from '../../../test/support/rejection';

interface MessageExpect {
  action: 'create_message';
  thread: { contact: string; name?: string };
  message: {
    direction: 'inbound' | 'outbound';
    origin?: string;
    type: string;
    text?: string;
    media?: { mimeType: string; durationSeconds?: number; fetch?: string };
    providerMessageId: string;
    sentAt?: string;
    status?: string;
  };
}

const evolutionWebhooks = webhookFixtures('evolution');
const withAction = (action: string): ManifestEntry[] => webhookFixtures('evolution', action);

function fixture(file: string): Record<string, unknown> {
  return JSON.parse(fixtureBytes(file).toString('utf8')) as Record<string, unknown>;
}

function request(body: unknown, rawBody: Buffer = Buffer.from(JSON.stringify(body) ?? '')): WebhookRequest {
  return { headers: { 'content-type': 'application/json' }, rawBody, body, subPath: '', publicUrl: '' };
}

function fixtureRequest(file: string): WebhookRequest {
  const raw = fixtureBytes(file);
  return request(JSON.parse(raw.toString('utf8')), raw);
}

/** The envelope Evolution wraps around every event (PROTOCOLS.md §1.2). */
function envelope(event: string, data: unknown): Record<string, unknown> {
  return {
    event,
    instance: 'acme-br',
    data,
    destination: 'https://inbox.example.com/webhooks/evolution/acme-br',
    date_time: '2025-11-20T11:03:12.311Z',
    sender: '5511912340000@s.whatsapp.net',
    server_url: 'https://evo.acme.example',
    apikey: null,
  };
}

/** A messages.upsert from Ana: override the key, the message content or any other data field. */
function upsert(
  over: { key?: Partial<EvolutionKey>; message?: EvolutionMessageContent } & Omit<Partial<EvolutionUpsertData>, 'key' | 'message'> = {},
) {
  const { key, message, ...rest } = over;
  return envelope('messages.upsert', {
    key: { remoteJid: '5511987650001@s.whatsapp.net', fromMe: false, id: '3A0000000000000000A1', ...key },
    pushName: 'Ana Souza',
    status: 'DELIVERY_ACK',
    message: message ?? { conversation: 'Oi!' },
    messageType: 'conversation',
    messageTimestamp: 1763647392,
    instanceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    source: 'android',
    ...rest,
  });
}

function update(data: Record<string, unknown>) {
  return envelope('messages.update', {
    keyId: '3EB0A7C41D9E2F8B6C05D3',
    remoteJid: '5511987650001@s.whatsapp.net',
    fromMe: true,
    status: 'DELIVERY_ACK',
    instanceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    messageId: 'cmi7q2x4e0001qx8k3f9v2b1c',
    ...data,
  });
}

/** Deletes made through Evolution's API carry the stored record: `id` is Evolution's database id (PROTOCOLS.md §1.4). */
const apiDeleted = {
  id: 'cmi7q2x4e0001qx8k3f9v2b1c',
  messageType: 'conversation',
  status: 'DELETED',
  source: 'web',
  messageTimestamp: 1763647420,
};

function only<T extends NeutralEvent['type']>(events: NeutralEvent[], type: T): Extract<NeutralEvent, { type: T }> {
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ type });
  return events[0] as Extract<NeutralEvent, { type: T }>;
}

function parsedMessage(body: unknown): InboundMessage {
  return only(parseEvolutionWebhook(body), 'message').message;
}

/** The manifest's `expect` as a partial InboundMessage. Origin (device vs echo) is decided by ingest, not here. */
function expectedMessage({ thread, message }: MessageExpect): Record<string, unknown> {
  const fromMe = message.direction === 'outbound';
  return {
    providerMessageId: message.providerMessageId,
    fromMe,
    kind: message.type,
    identity: expect.objectContaining({ kind: 'person', address: thread.contact }),
    ...(thread.name !== undefined && !fromMe ? { profileName: thread.name } : {}),
    ...(message.text !== undefined ? { body: message.text } : {}),
    ...(message.sentAt !== undefined ? { sentAt: new Date(message.sentAt) } : {}),
    ...(message.status !== undefined ? { status: message.status } : {}),
    ...(message.media !== undefined
      ? {
          media: expect.objectContaining({
            mimeType: message.media.mimeType,
            ...(message.media.durationSeconds !== undefined ? { durationSec: message.media.durationSeconds } : {}),
          }),
        }
      : {}),
  };
}

describe('evolution.parse', () => {
  describe('fixtures', () => {
    it('should list every Evolution fixture file in the manifest', () => {
      const listed = MANIFEST.filter((f) => f.provider === 'evolution').map((f) => f.file);
      const onDisk = readdirSync(join(FIXTURES_DIR, 'evolution')).map((name) => `evolution/${name}`);
      expect([...listed].sort()).toEqual([...onDisk].sort());
    });
  });

  describe(describeEvolutionWebhook.name, () => {
    it.each(evolutionWebhooks)('should route $file to instance acme-br as $event', ({ file, event }) => {
      expect(describeEvolutionWebhook(fixtureRequest(file))).toMatchObject({ routingKey: 'acme-br', eventType: event });
    });

    it('should give send.message and a fromMe messages.upsert of the same key.id one dedupe key', () => {
      const entry = withAction('dedupe')[0];
      const response = fixture(entry.expect.matches as string);
      const asUpsert = { ...fixture(entry.file), event: 'messages.upsert', data: response };

      const sent = describeEvolutionWebhook(fixtureRequest(entry.file));
      const upserted = describeEvolutionWebhook(request(asUpsert));

      expect(upserted.dedupeKey).toBe(sent.dedupeKey);
      expect(sent.dedupeKey).toContain(entry.expect.providerMessageId as string);
    });

    it('should give each status of one message its own dedupe key', () => {
      const keys = withAction('update_status').map((f) => describeEvolutionWebhook(fixtureRequest(f.file)).dedupeKey);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it('should key a status by message id and status, not by the envelope bytes', () => {
      const first = describeEvolutionWebhook(fixtureRequest('evolution/status_read.json'));
      const again = describeEvolutionWebhook(request(update({ status: 'READ' })));
      expect(again.dedupeKey).toBe(first.dedupeKey);
    });

    it('should key an event without an id by its bytes', () => {
      const a = describeEvolutionWebhook(fixtureRequest('evolution/connection_update_open.json'));
      const b = describeEvolutionWebhook(fixtureRequest('evolution/connection_update_open.json'));
      const other = describeEvolutionWebhook(request(envelope('connection.update', { instance: 'acme-br', state: 'close' })));
      expect(a.dedupeKey).toBe(b.dedupeKey);
      expect(other.dedupeKey).not.toBe(a.dedupeKey);
    });

    it.each(['MESSAGES_UPSERT', 'messages-upsert', 'Messages.Upsert'])(
      'should read the event name variant %s as messages.upsert',
      (name) => {
        const dotted = describeEvolutionWebhook(request(upsert()));
        const variant = describeEvolutionWebhook(request({ ...upsert(), event: name }));
        expect(variant).toEqual(dotted);
      },
    );

    it('should key messages.delete by the deleted key id', () => {
      const body = envelope('messages.delete', { remoteJid: '5511987650001@s.whatsapp.net', fromMe: false, id: '3A0000000000000000A1' });
      expect(describeEvolutionWebhook(request(body))).toMatchObject({
        eventType: 'messages.delete',
        dedupeKey: expect.stringContaining('3A0000000000000000A1'),
      });
    });

    it('should key an API-initiated delete by the WhatsApp id in data.key', () => {
      const body = envelope('messages.delete', {
        ...apiDeleted,
        key: { remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, id: '3EB0A7C41D9E2F8B6C05D3' },
      });
      const byKey = envelope('messages.delete', { remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, id: '3EB0A7C41D9E2F8B6C05D3' });
      expect(describeEvolutionWebhook(request(body)).dedupeKey).toBe(describeEvolutionWebhook(request(byKey)).dedupeKey);
    });

    it.each([
      ['messages.upsert without data.key.id', 'data.key.id', upsert({ key: { id: undefined } })],
      ['send.message without data.key', 'data.key.id', envelope('send.message', { message: { conversation: 'x' } })],
      ['messages.update without data.keyId', 'data.keyId', update({ keyId: undefined })],
      ['messages.delete without an id', 'data.id', envelope('messages.delete', { remoteJid: '5511987650001@s.whatsapp.net' })],
      ['a body without "event"', '"event"', { ...upsert(), event: undefined }],
      ['a body whose "event" is not a string', '"event"', { ...upsert(), event: 42 }],
      ['a body without "instance"', '"instance"', { ...upsert(), instance: undefined }],
      ['a body with an empty "instance"', '"instance"', { ...upsert(), instance: '' }],
      ['a JSON array', 'JSON object', [upsert()]],
      ['a JSON string', 'JSON object', 'messages.upsert'],
      ['null', 'JSON object', null],
    ])('should reject %s with 400 naming %s', (_case, field, body) => {
      const err = rejection(() => describeEvolutionWebhook(request(body)));
      expect(err.statusCode).toBe(400);
      expect(err.message).toContain(field);
    });

    it('should name only the missing field', () => {
      expect(rejection(() => describeEvolutionWebhook(request({ ...upsert(), instance: undefined }))).message).not.toContain('"event"');
    });
  });

  describe(parseEvolutionWebhook.name, () => {
    describe('manifest fixtures', () => {
      it.each(withAction('create_message'))('should turn $file into the message the manifest expects', ({ file, expect: exp }) => {
        expect(parsedMessage(fixture(file))).toMatchObject(expectedMessage(exp as unknown as MessageExpect));
      });

      it.each(evolutionWebhooks.filter((f) => f.event === 'messages.upsert' && f.expect.action === 'create_message'))(
        'should take sentAt of $file from data.messageTimestamp, not the mislabelled date_time',
        ({ file }) => {
          const body = fixture(file) as { data: { messageTimestamp: number } };
          expect(parsedMessage(body).sentAt).toEqual(new Date(body.data.messageTimestamp * 1000));
        },
      );

      it('should keep the key id as the media reference getBase64FromMediaMessage needs', () => {
        const entry = withAction('create_message').find((f) => (f.expect as unknown as MessageExpect).message.media?.fetch);
        const fetch = (entry!.expect as unknown as MessageExpect).message.media!.fetch!;
        const fetchBody = JSON.parse(fetch.slice(fetch.indexOf('{'))) as { message: { key: { id: string } } };
        expect(parsedMessage(fixture(entry!.file)).media?.providerRef).toBe(fetchBody.message.key.id);
      });

      it('should read a message typed on the business phone as fromMe, so ingest can tell it from our echo', () => {
        const m = parsedMessage(fixture('evolution/from_me_echo.json'));
        expect(m).toMatchObject({ fromMe: true, profileName: null, status: 'sent' });
      });

      it('should read send.message as our own pending message', () => {
        const entry = withAction('dedupe')[0];
        expect(parsedMessage(fixture(entry.file))).toMatchObject({
          providerMessageId: entry.expect.providerMessageId,
          fromMe: true,
          status: 'pending',
          profileName: null,
        });
      });

      it.each(withAction('ignore'))('should ignore $file with reason $expect.reason', ({ file, expect: exp }) => {
        expect(only(parseEvolutionWebhook(fixture(file)), 'ignored').reason).toBe(exp.reason);
      });

      it.each(withAction('update_status'))('should map $file to status $expect.status', ({ file, expect: exp }) => {
        expect(only(parseEvolutionWebhook(fixture(file)), 'status')).toEqual({
          type: 'status',
          providerMessageId: exp.providerMessageId,
          status: exp.status,
          error: null,
        });
      });

      it.each(withAction('channel_state'))('should map $file to $expect.state with its own number', ({ file, expect: exp }) => {
        expect(only(parseEvolutionWebhook(fixture(file)), 'connection')).toEqual({
          type: 'connection',
          state: exp.state,
          ownAddress: exp.ownNumber,
          needsReauth: false,
          qr: null,
        });
      });
    });

    describe('text and replies', () => {
      it('should read Evolution < 2.2 extendedTextMessage with its quoted stanzaId', () => {
        const body = upsert({
          messageType: 'extendedTextMessage',
          message: { extendedTextMessage: { text: 'Sim, pode ser amanhã', contextInfo: { stanzaId: '3EB0A7C41D9E2F8B6C05D3' } } },
        });
        expect(parsedMessage(body)).toMatchObject({
          kind: 'text',
          body: 'Sim, pode ser amanhã',
          replyToProviderId: '3EB0A7C41D9E2F8B6C05D3',
        });
      });

      it('should read a 2.2+ reply from data.contextInfo.stanzaId', () => {
        const body = upsert({
          message: { conversation: 'Sim, pode ser amanhã' },
          contextInfo: { stanzaId: '3EB0A7C41D9E2F8B6C05D3', participant: '5511912340000@s.whatsapp.net' },
        });
        expect(parsedMessage(body)).toMatchObject({
          kind: 'text',
          body: 'Sim, pode ser amanhã',
          replyToProviderId: '3EB0A7C41D9E2F8B6C05D3',
        });
      });

      it('should leave replyToProviderId null for a message that quotes nothing', () => {
        expect(parsedMessage(upsert()).replyToProviderId).toBeNull();
      });

      it('should read the content inside a disappearing-mode ephemeralMessage', () => {
        const body = upsert({
          messageType: 'ephemeralMessage',
          message: { ephemeralMessage: { message: { extendedTextMessage: { text: 'Some em 7 dias' } } } },
        });
        expect(parsedMessage(body)).toMatchObject({ kind: 'text', body: 'Some em 7 dias' });
      });

      it('should read a view-once photo inside viewOnceMessageV2', () => {
        const body = upsert({
          messageType: 'viewOnceMessageV2',
          message: {
            viewOnceMessageV2: { message: { imageMessage: { mimetype: 'image/jpeg', caption: 'só uma vez' } } },
          } as EvolutionMessageContent,
        });
        expect(parsedMessage(body)).toMatchObject({ kind: 'image', body: 'só uma vez', media: { mimeType: 'image/jpeg' } });
      });
    });

    describe('media', () => {
      const pdf = { mimetype: 'application/pdf', fileName: 'nota-fiscal.pdf', caption: 'Segue a nota', fileLength: '48213' };

      it('should read a pre-2.2 documentWithCaptionMessage', () => {
        const body = upsert({
          messageType: 'documentWithCaptionMessage',
          message: { documentWithCaptionMessage: { message: { documentMessage: pdf } } },
        });
        expect(parsedMessage(body)).toMatchObject({
          kind: 'document',
          body: 'Segue a nota',
          media: { mimeType: 'application/pdf', fileName: 'nota-fiscal.pdf', size: 48213 },
        });
      });

      it('should read a flattened documentMessage with fileName and caption', () => {
        const body = upsert({ messageType: 'documentMessage', message: { documentMessage: pdf } });
        expect(parsedMessage(body)).toMatchObject({ kind: 'document', body: 'Segue a nota', media: { fileName: 'nota-fiscal.pdf' } });
      });

      it('should read a videoMessage with duration', () => {
        const body = upsert({
          messageType: 'videoMessage',
          message: { videoMessage: { mimetype: 'video/mp4', seconds: 12, caption: 'olha' } },
        });
        expect(parsedMessage(body)).toMatchObject({ kind: 'video', body: 'olha', media: { mimeType: 'video/mp4', durationSec: 12 } });
      });

      it('should read a stickerMessage', () => {
        const body = upsert({ messageType: 'stickerMessage', message: { stickerMessage: { mimetype: 'image/webp' } } });
        expect(parsedMessage(body)).toMatchObject({ kind: 'sticker', body: null, media: { mimeType: 'image/webp' } });
      });

      it('should read a non-ptt audioMessage as audio', () => {
        const body = upsert({
          messageType: 'audioMessage',
          message: { audioMessage: { mimetype: 'audio/mpeg', seconds: 30, ptt: false } },
        });
        expect(parsedMessage(body)).toMatchObject({ kind: 'audio', media: { durationSec: 30 } });
      });

      it.each([
        ['a decimal string (<= 2.3.5)', '184233', 184233],
        ['a number', 184233, 184233],
        ['a Long (2.3.6)', { low: 184233, high: 0, unsigned: true }, 184233],
        ['a Long above 2^31', { low: -1294967296, high: 0, unsigned: true }, 3_000_000_000],
      ])('should read fileLength given as %s', (_case, fileLength, size) => {
        const image = { mimetype: 'image/jpeg', fileLength } as EvolutionMessageContent['imageMessage'];
        expect(parsedMessage(upsert({ messageType: 'imageMessage', message: { imageMessage: image } })).media?.size).toBe(size);
      });
    });

    describe('location', () => {
      it('should read coordinates, name and address', () => {
        const locationMessage = {
          degreesLatitude: -23.5614,
          degreesLongitude: -46.6559,
          name: 'Loja Paulista',
          address: 'Av. Paulista, 1000',
        };
        expect(parsedMessage(upsert({ messageType: 'locationMessage', message: { locationMessage } }))).toMatchObject({
          kind: 'location',
          location: { latitude: -23.5614, longitude: -46.6559, name: 'Loja Paulista', address: 'Av. Paulista, 1000' },
        });
      });
    });

    describe('reactions', () => {
      const target = { remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, id: '3EB0A7C41D9E2F8B6C05D3' };

      it('should update the target message instead of creating one', () => {
        const body = upsert({ messageType: 'reactionMessage', message: { reactionMessage: { key: target, text: '👍' } } });
        expect(only(parseEvolutionWebhook(body), 'reaction')).toMatchObject({
          targetProviderMessageId: '3EB0A7C41D9E2F8B6C05D3',
          emoji: '👍',
          fromMe: false,
          identity: { address: '+5511987650001' },
        });
      });

      it('should read an empty reaction text as a removal', () => {
        const body = upsert({ messageType: 'reactionMessage', message: { reactionMessage: { key: target, text: '' } } });
        expect(only(parseEvolutionWebhook(body), 'reaction').emoji).toBe('');
      });
    });

    describe('identity', () => {
      it('should ignore WhatsApp Status posts', () => {
        expect(only(parseEvolutionWebhook(upsert({ key: { remoteJid: 'status@broadcast' } })), 'ignored').reason).toBe('broadcast');
      });

      it('should key a @lid sender by its remoteJidAlt phone and keep the LID as an alias', () => {
        const body = upsert({
          key: { remoteJid: '208475913362181@lid', remoteJidAlt: '5521976540002@s.whatsapp.net' },
          pushName: 'Carla Mendes',
        });
        expect(parsedMessage(body).identity).toEqual({
          kind: 'person',
          address: '+5521976540002',
          phone: '+5521976540002',
          raw: '5521976540002@s.whatsapp.net',
          aliases: ['lid:208475913362181'],
        });
      });

      it('should accept 2.3.0 senderPn as the phone of a @lid sender', () => {
        const body = upsert({ key: { remoteJid: '208475913362181@lid', senderPn: '5521976540002@s.whatsapp.net' } });
        expect(parsedMessage(body).identity).toMatchObject({ address: '+5521976540002', aliases: ['lid:208475913362181'] });
      });

      it('should key a @lid sender without a phone as lid:<digits> and leave the phone empty', () => {
        expect(parsedMessage(upsert({ key: { remoteJid: '164203881579023@lid' } })).identity).toEqual({
          kind: 'person',
          address: 'lid:164203881579023',
          phone: null,
          raw: '164203881579023@lid',
          aliases: [],
        });
      });

      it('should canonicalise a 12-digit Brazilian id and keep the raw JID for replies', () => {
        expect(parsedMessage(upsert({ key: { remoteJid: '553198765432@s.whatsapp.net' } })).identity).toMatchObject({
          address: '+5531998765432',
          phone: '+5531998765432',
          raw: '553198765432@s.whatsapp.net',
        });
      });
    });

    describe('timestamps', () => {
      it.each([
        ['a Long {low, high}', { low: 1763647392, high: 0, unsigned: true }],
        ['a decimal string', '1763647392'],
      ])('should read messageTimestamp given as %s', (_case, messageTimestamp) => {
        expect(parsedMessage(upsert({ messageTimestamp })).sentAt).toEqual(new Date('2025-11-20T14:03:12.000Z'));
      });
    });

    describe('messages.update', () => {
      it('should ignore DELETED, which Evolution uses for updates without a status (edits), not deletions', () => {
        expect(only(parseEvolutionWebhook(update({ status: 'DELETED' })), 'ignored').reason).toBe('status_deleted');
      });

      it.each([
        [2, 'sent'],
        [3, 'delivered'],
        [4, 'read'],
        [5, 'played'],
      ])('should map numeric status %d to %s', (status, expected) => {
        expect(only(parseEvolutionWebhook(update({ status })), 'status').status).toBe(expected);
      });

      it('should map ERROR to failed with an error', () => {
        const event = only(parseEvolutionWebhook(update({ status: 'ERROR' })), 'status');
        expect(event.status).toBe('failed');
        expect(event.error).toBeInstanceOf(ProviderError);
      });

      it('should map PLAYED to played', () => {
        expect(only(parseEvolutionWebhook(update({ status: 'PLAYED' })), 'status').status).toBe('played');
      });

      it('should ignore receipts for inbound messages', () => {
        expect(only(parseEvolutionWebhook(update({ fromMe: false, status: 'READ' })), 'ignored').reason).toBe('receipt_for_inbound');
      });
    });

    describe('other events', () => {
      it('should turn messages.delete into a deletion of the key id', () => {
        const body = envelope('messages.delete', { remoteJid: '5511987650001@s.whatsapp.net', fromMe: false, id: '3A0000000000000000A1' });
        expect(parseEvolutionWebhook(body)).toEqual([{ type: 'deleted', providerMessageId: '3A0000000000000000A1' }]);
      });

      it("should take the WhatsApp id from data.key of an API-initiated delete, not Evolution's database id", () => {
        const body = envelope('messages.delete', {
          ...apiDeleted,
          key: { remoteJid: '5511987650001@s.whatsapp.net', fromMe: true, id: '3EB0A7C41D9E2F8B6C05D3' },
        });
        expect(parseEvolutionWebhook(body)).toEqual([{ type: 'deleted', providerMessageId: '3EB0A7C41D9E2F8B6C05D3' }]);
      });

      it('should ignore events the inbox does not use', () => {
        const body = envelope('contacts.upsert', [{ remoteJid: '5511987650001@s.whatsapp.net', pushName: 'Ana Souza' }]);
        expect(only(parseEvolutionWebhook(body), 'ignored').reason).toBe('unhandled_event:contacts.upsert');
      });

      it('should parse an upper-snake event name like its dotted form', () => {
        expect(parseEvolutionWebhook({ ...upsert(), event: 'MESSAGES_UPSERT' })).toEqual(parseEvolutionWebhook(upsert()));
      });

      it('should turn qrcode.updated into a connecting state carrying the QR image', () => {
        const qrcode = { instance: 'acme-br', pairingCode: null, code: '2@abc', base64: 'data:image/png;base64,iVBORw0KGgo=' };
        expect(only(parseEvolutionWebhook(envelope('qrcode.updated', { qrcode })), 'connection')).toEqual({
          type: 'connection',
          state: 'connecting',
          ownAddress: null,
          needsReauth: true,
          qr: 'data:image/png;base64,iVBORw0KGgo=',
        });
      });

      it('should ask for re-pairing when the instance closes as logged out', () => {
        const body = envelope('connection.update', { instance: 'acme-br', state: 'close', statusReason: 401 });
        expect(only(parseEvolutionWebhook(body), 'connection')).toMatchObject({ state: 'disconnected', needsReauth: true });
      });
    });
  });
});
