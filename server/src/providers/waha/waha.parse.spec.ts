import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, fixtureBytes, MANIFEST, webhookFixtures, type ManifestEntry } from '../../../test/support/fixtures';
import { ProviderError } from '../provider-error';
import type { InboundMessage, NeutralEvent, WebhookRequest } from '../provider.types';
import { rejection } from '../../../test/support/rejection';
import { describeWahaWebhook, parseWahaWebhook } from './waha.parse';
import type { WahaMessage } from './waha.types';

interface MessageExpect {
  thread: { contact: string; name?: string };
  message: {
    direction: 'inbound' | 'outbound';
    type: string;
    text?: string | null;
    media?: { mimeType: string; fetch?: string };
    providerMessageId: string;
    sentAt?: string;
    status?: string;
  };
}

const wahaWebhooks = webhookFixtures('waha');
const withAction = (action: string): ManifestEntry[] => webhookFixtures('waha', action);

const fixture = <T = Record<string, unknown>>(file: string): T => JSON.parse(fixtureBytes(file).toString('utf8')) as T;

function request(body: unknown, rawBody: Buffer = Buffer.from(JSON.stringify(body) ?? '')): WebhookRequest {
  return { headers: { 'content-type': 'application/json' }, rawBody, body, subPath: '', publicUrl: '' };
}

function fixtureRequest(file: string): WebhookRequest {
  const raw = fixtureBytes(file);
  return request(JSON.parse(raw.toString('utf8')), raw);
}

const ME = { id: '919812300000@c.us', pushName: 'Acme India Support' };
const PRIYA = '919876543210@c.us';

/** The envelope WAHA wraps around every event (PROTOCOLS.md §2.2); `id: undefined` makes a 2024 one. */
function envelope(event: string, payload: unknown, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'evt_01kags77h4415xebgr0a6a32x6',
    timestamp: 1763647397412,
    event,
    session: 'support-in',
    me: ME,
    payload,
    engine: 'NOWEB',
    environment: { version: '2025.11.1', engine: 'NOWEB', tier: 'PLUS', browser: null },
    ...over,
  };
}

/** A message payload from Priya (NOWEB shape); override any field. */
function waMessage(over: Partial<WahaMessage> = {}): WahaMessage {
  return {
    id: `false_${PRIYA}_3A0000000000000000A1`,
    timestamp: 1763647397,
    from: PRIYA,
    fromMe: false,
    source: 'app',
    body: 'Hello',
    hasMedia: false,
    media: null,
    ack: 2,
    ackName: 'DEVICE',
    location: null,
    vCards: [],
    replyTo: null,
    _data: { key: { remoteJid: '919876543210@s.whatsapp.net', fromMe: false, id: '3A0000000000000000A1' }, pushName: 'Priya Sharma' },
    ...over,
  };
}

function ack(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: `true_${PRIYA}_3EB0F1C2A9D84B7E6051`, from: PRIYA, fromMe: true, ack: 2, ackName: 'DEVICE', ...over };
}

function only<T extends NeutralEvent['type']>(events: NeutralEvent[], type: T): Extract<NeutralEvent, { type: T }> {
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ type });
  return events[0] as Extract<NeutralEvent, { type: T }>;
}

const parsedMessage = (body: unknown): InboundMessage => only(parseWahaWebhook(body), 'message').message;

/** The manifest's `expect` as a partial InboundMessage. Origin (device vs echo) is decided by ingest. */
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
    ...(message.media !== undefined ? { media: expect.objectContaining({ mimeType: message.media.mimeType }) } : {}),
    inlineMedia: null,
  };
}

describe('waha.parse', () => {
  describe('fixtures', () => {
    it('should find the shared fixtures folder', () => {
      expect(existsSync(join(FIXTURES_DIR, 'waha', 'inbound_text.json'))).toBe(true);
    });

    it('should list every WAHA fixture file in the manifest', () => {
      const listed = MANIFEST.filter((f) => f.provider === 'waha').map((f) => f.file);
      const onDisk = readdirSync(join(FIXTURES_DIR, 'waha')).map((name) => `waha/${name}`);
      expect([...listed].sort()).toEqual([...onDisk].sort());
    });
  });

  describe(describeWahaWebhook.name, () => {
    it.each(wahaWebhooks)('should route $file to session support-in as $event', ({ file, event }) => {
      expect(describeWahaWebhook(fixtureRequest(file))).toMatchObject({ routingKey: 'support-in', eventType: event });
    });

    it('should key an event with an envelope id by that id', () => {
      const body = fixture('waha/status_read.json');
      expect(describeWahaWebhook(request(body)).dedupeKey).toBe(`waha:support-in:${String(body.id)}`);
    });

    it('should give message and message.any of one message the same key', () => {
      const inbound = describeWahaWebhook(request(envelope('message', waMessage())));
      const any = describeWahaWebhook(request(envelope('message.any', waMessage(), { id: 'evt_01kags77h4415xebgr0a6a32zz' })));
      expect(any.dedupeKey).toBe(inbound.dedupeKey);
      expect(inbound.dedupeKey).toBe(`waha:support-in:msg:false_${PRIYA}_3A0000000000000000A1`);
    });

    it('should give a bare NOWEB id and its serialized form the same key', () => {
      const bare = describeWahaWebhook(request(envelope('message', waMessage({ id: '3A0000000000000000A1' }))));
      const serialized = describeWahaWebhook(request(envelope('message.any', waMessage())));
      expect(bare.dedupeKey).toBe(serialized.dedupeKey);
    });

    describe('without an envelope id (2024 versions)', () => {
      const old = { id: undefined, timestamp: undefined };

      it.each([
        ['message.ack', ack({ ack: 3 }), `waha:support-in:ack:true_${PRIYA}_3EB0F1C2A9D84B7E6051:3`],
        [
          'message.reaction',
          { id: `false_${PRIYA}_R1`, from: PRIYA, fromMe: false, reaction: { text: '👍', messageId: 'x' } },
          `waha:support-in:react:false_${PRIYA}_R1`,
        ],
        [
          'message.revoked',
          { revokedMessageId: 'ORIG1', after: waMessage({ id: `false_${PRIYA}_NOTICE` }) },
          'waha:support-in:revoked:ORIG1',
        ],
        [
          'message.revoked',
          { after: waMessage({ id: `false_${PRIYA}_NOTICE` }), before: null },
          `waha:support-in:revoked:false_${PRIYA}_NOTICE`,
        ],
      ])('should key %s from the payload', (event, payload, key) => {
        expect(describeWahaWebhook(request(envelope(event, payload, old))).dedupeKey).toBe(key);
      });

      it('should key each ack of one message separately', () => {
        const delivered = describeWahaWebhook(request(envelope('message.ack', ack({ ack: 2 }), old)));
        const read = describeWahaWebhook(request(envelope('message.ack', ack({ ack: 3 }), old)));
        expect(read.dedupeKey).not.toBe(delivered.dedupeKey);
      });

      it('should key other events by the bytes', () => {
        const body = envelope('session.status', { name: 'support-in', status: 'WORKING' }, old);
        const a = describeWahaWebhook(request(body));
        const b = describeWahaWebhook(request(body));
        const other = describeWahaWebhook(request(envelope('session.status', { name: 'support-in', status: 'STOPPED' }, old)));
        expect(a.dedupeKey).toMatch(/^waha:support-in:session\.status:[0-9a-f]{64}$/);
        expect(b.dedupeKey).toBe(a.dedupeKey);
        expect(other.dedupeKey).not.toBe(a.dedupeKey);
      });
    });

    it.each([
      ['a body that is not an object', 'JSON object', []],
      ['a body without "event"', '"event"', envelope('message', waMessage(), { event: undefined })],
      ['a body whose "event" is not a string', '"event"', envelope('message', waMessage(), { event: 42 })],
      ['a body without "session"', '"session"', envelope('message', waMessage(), { session: undefined })],
      ['a message without payload.id', 'payload.id', envelope('message', waMessage({ id: undefined }))],
      ['message.any without a payload', 'payload.id', envelope('message.any', undefined)],
      ['message.ack without payload.id', 'payload.id', envelope('message.ack', ack({ id: undefined }))],
      ['message.reaction without payload.id', 'payload.id', envelope('message.reaction', { reaction: { text: 'x', messageId: 'y' } })],
      ['message.revoked without any id (2024)', 'revokedMessageId', envelope('message.revoked', {}, { id: undefined })],
    ])('should reject %s with 400 naming %s', (_case, field, body) => {
      const err = rejection(() => describeWahaWebhook(request(body)));
      expect(err.statusCode).toBe(400);
      expect(err.message).toContain(field);
    });

    it('should name both missing fields at once', () => {
      const err = rejection(() => describeWahaWebhook(request({ payload: {} })));
      expect(err.message).toContain('"event"');
      expect(err.message).toContain('"session"');
    });
  });

  describe(parseWahaWebhook.name, () => {
    describe('manifest fixtures', () => {
      it.each(withAction('create_message'))('should turn $file into the expected message', ({ file, expect: e }) => {
        expect(parsedMessage(fixture(file))).toMatchObject(expectedMessage(e as unknown as MessageExpect));
      });

      it.each(withAction('update_status'))('should turn $file into its status', ({ file, expect: e }) => {
        expect(only(parseWahaWebhook(fixture(file)), 'status')).toEqual({
          type: 'status',
          providerMessageId: e.providerMessageId,
          status: e.status,
          error: null,
        });
      });

      it.each(withAction('ignore'))('should ignore $file with reason $expect.reason', ({ file, expect: e }) => {
        expect(only(parseWahaWebhook(fixture(file)), 'ignored').reason).toBe(e.reason);
      });

      it.each(withAction('channel_state'))('should turn $file into the channel state', ({ file, expect: e }) => {
        expect(only(parseWahaWebhook(fixture(file)), 'connection')).toEqual({
          type: 'connection',
          state: e.state,
          ownAddress: e.ownNumber,
          needsReauth: false,
          qr: null,
        });
      });

      it('should cover every WAHA webhook fixture', () => {
        const covered = ['create_message', 'update_status', 'ignore', 'channel_state'].flatMap(withAction);
        expect(covered).toHaveLength(wahaWebhooks.length);
      });

      it('should keep the media URL as the reference to fetch', () => {
        const entry = MANIFEST.find((f) => f.file === 'waha/inbound_image_caption.json')!;
        const fetchLine = (entry.expect as unknown as MessageExpect).message.media!.fetch!;
        const url = fetchLine.split(' ')[1];
        expect(parsedMessage(fixture(entry.file)).media?.providerRef).toBe(url);
      });
    });

    describe('message direction and chat', () => {
      it('should take the chat from a NOWEB fromMe message where `from` is the chat', () => {
        const m = parsedMessage(fixture('waha/from_me_echo.json'));
        expect(m).toMatchObject({
          fromMe: true,
          profileName: null,
          status: 'sent',
          identity: { address: '+447700900123', raw: '447700900123@c.us' },
        });
      });

      it('should take the chat from a WEBJS fromMe message where `from` is us', () => {
        const payload = waMessage({
          id: `true_${PRIYA}_3EB0AAAA`,
          from: ME.id,
          to: PRIYA,
          fromMe: true,
          source: 'app',
          ack: 1,
          _data: { notifyName: 'Acme India Support', type: 'chat' },
        });
        const m = parsedMessage(envelope('message.any', payload, { engine: 'WEBJS' }));
        expect(m).toMatchObject({ providerMessageId: `true_${PRIYA}_3EB0AAAA`, fromMe: true, identity: { address: '+919876543210' } });
      });

      it('should parse an API send echoed on message.any with source api', () => {
        const payload = waMessage({ id: `true_${PRIYA}_3EB0BBBB`, fromMe: true, source: 'api', ack: 0, ackName: 'PENDING' });
        expect(parsedMessage(envelope('message.any', payload))).toMatchObject({
          providerMessageId: `true_${PRIYA}_3EB0BBBB`,
          fromMe: true,
          status: 'pending',
        });
      });

      it('should default a fromMe message without an ack to sent', () => {
        const payload = waMessage({ id: `true_${PRIYA}_3EB0CCCC`, fromMe: true, ack: null, ackName: null });
        expect(parsedMessage(envelope('message.any', payload)).status).toBe('sent');
      });

      it('should rebuild the serialized id of a bare NOWEB id', () => {
        const m = parsedMessage(envelope('message', waMessage({ id: '3A0000000000000000A1' })));
        expect(m.providerMessageId).toBe(`false_${PRIYA}_3A0000000000000000A1`);
      });

      it('should rebuild a bare WEBJS fromMe id from `to`', () => {
        const payload = waMessage({ id: '3EB0DDDD', from: ME.id, to: PRIYA, fromMe: true, _data: { type: 'chat' } });
        expect(parsedMessage(envelope('message.any', payload, { engine: 'WEBJS' })).providerMessageId).toBe(`true_${PRIYA}_3EB0DDDD`);
      });

      it('should key a @lid chat by lid and never invent a phone', () => {
        const lid = '186273849501234@lid';
        const m = parsedMessage(envelope('message', waMessage({ id: `false_${lid}_3A11`, from: lid, _data: { pushName: 'Arjun' } })));
        expect(m.identity).toEqual({ kind: 'person', address: 'lid:186273849501234', phone: null, raw: lid, aliases: [] });
        expect(m.profileName).toBe('Arjun');
      });

      it('should use the phone next to a @lid chat when NOWEB gives one', () => {
        const lid = '208475913362181@lid';
        const payload = waMessage({
          id: `false_${lid}_3A12`,
          from: lid,
          _data: { key: { remoteJid: lid, remoteJidAlt: '5521976540002@s.whatsapp.net', id: '3A12' }, pushName: 'Carla' },
        });
        expect(parsedMessage(envelope('message', payload)).identity).toMatchObject({
          address: '+5521976540002',
          aliases: ['lid:208475913362181'],
        });
      });

      it.each([
        ['a group', `false_120363025550001234@g.us_3A77_${PRIYA}`, 'group'],
        ['a status broadcast', `false_status@broadcast_3A78_${PRIYA}`, 'broadcast'],
        ['a newsletter', 'false_120363000000000000@newsletter_3A79', 'newsletter'],
      ])('should ignore a message in %s', (_case, id, reason) => {
        expect(only(parseWahaWebhook(envelope('message', waMessage({ id }))), 'ignored').reason).toBe(reason);
      });

      it('should take the time from payload.timestamp, not the envelope', () => {
        expect(parsedMessage(envelope('message', waMessage({ timestamp: 1763647397 }))).sentAt).toEqual(
          new Date('2025-11-20T14:03:17.000Z'),
        );
      });

      it('should keep the milliseconds of a fractional WEBJS timestamp', () => {
        const m = parsedMessage(envelope('message', waMessage({ timestamp: 1763647397.25 }), { engine: 'WEBJS' }));
        expect(m.sentAt).toEqual(new Date('2025-11-20T14:03:17.250Z'));
      });

      it('should read the WEBJS sender name from _data.notifyName', () => {
        const m = parsedMessage(envelope('message', waMessage({ _data: { notifyName: 'Priya S.', type: 'chat' } }), { engine: 'WEBJS' }));
        expect(m.profileName).toBe('Priya S.');
      });
    });

    describe('message content', () => {
      it('should turn a voice note into kind voice with no text', () => {
        const m = parsedMessage(fixture('waha/inbound_audio_ptt.json'));
        expect(m).toMatchObject({ kind: 'voice', body: null, media: { mimeType: 'audio/ogg; codecs=opus', durationSec: 11 } });
      });

      it('should treat OGG/Opus audio without a ptt flag as voice', () => {
        const payload = waMessage({
          body: null,
          hasMedia: true,
          media: { url: 'https://w/api/files/a.oga', mimetype: 'audio/ogg; codecs=opus' },
          _data: {},
        });
        expect(parsedMessage(envelope('message', payload)).kind).toBe('voice');
      });

      it('should treat a WEBJS ptt message as voice', () => {
        const payload = waMessage({
          body: null,
          hasMedia: true,
          media: { url: '/api/files/a.oga', mimetype: 'audio/ogg' },
          _data: { type: 'ptt' },
        });
        expect(parsedMessage(envelope('message', payload, { engine: 'WEBJS' })).kind).toBe('voice');
      });

      it('should treat an mp3 as audio', () => {
        const payload = waMessage({ body: null, hasMedia: true, media: { url: '/api/files/a.mp3', mimetype: 'audio/mpeg' }, _data: {} });
        expect(parsedMessage(envelope('message', payload)).kind).toBe('audio');
      });

      it.each([
        ['video/mp4', 'video'],
        ['application/pdf', 'document'],
      ])('should turn %s media into %s', (mimetype, kind) => {
        const payload = waMessage({
          body: 'caption',
          hasMedia: true,
          media: { url: '/api/files/x', mimetype, filename: 'x.bin' },
          _data: {},
        });
        expect(parsedMessage(envelope('message', payload))).toMatchObject({
          kind,
          body: 'caption',
          media: { fileName: 'x.bin', providerRef: '/api/files/x' },
        });
      });

      it('should keep media WAHA did not download without a reference', () => {
        const payload = waMessage({ body: null, hasMedia: true, media: null, _data: { message: { imageMessage: {} } } });
        expect(parsedMessage(envelope('message', payload))).toMatchObject({ kind: 'image', media: { providerRef: null, mimeType: null } });
      });

      it('should turn location strings into numbers', () => {
        const payload = waMessage({
          body: '/9j/4AAQSkZJRgABAQ',
          location: { latitude: '12.9715987', longitude: '77.5945627', name: 'MG Road', address: 'Bengaluru', live: false },
        });
        expect(parsedMessage(envelope('message', payload))).toMatchObject({
          kind: 'location',
          body: null,
          location: { latitude: 12.9715987, longitude: 77.5945627, name: 'MG Road', address: 'Bengaluru' },
        });
      });

      it('should turn a shared contact into kind contact', () => {
        const payload = waMessage({ body: null, vCards: ['BEGIN:VCARD\nFN:Ravi\nEND:VCARD'] });
        expect(parsedMessage(envelope('message', payload)).kind).toBe('contact');
      });

      it('should mark a message with nothing to show as unsupported', () => {
        expect(parsedMessage(envelope('message', waMessage({ body: null })))).toMatchObject({ kind: 'unsupported', body: null });
      });

      it.each([
        ['quoting the contact', PRIYA, `false_${PRIYA}_Q1`],
        ['quoting us', '919812300000@c.us', `true_${PRIYA}_Q1`],
        ['quoting us by LID', '118402773591244@lid', `true_${PRIYA}_Q1`],
      ])('should serialize the reply target when %s', (_case, participant, expected) => {
        const payload = waMessage({ replyTo: { id: 'Q1', participant, body: 'earlier' } });
        const body = envelope('message', payload, { me: { ...ME, lid: '118402773591244@lid' } });
        expect(parsedMessage(body).replyToProviderId).toBe(expected);
      });

      it('should keep a reply id as is when its author is unknown', () => {
        expect(parsedMessage(envelope('message', waMessage({ replyTo: { id: 'Q1' } }))).replyToProviderId).toBe('Q1');
      });

      it('should keep an already serialized reply id', () => {
        const payload = waMessage({ replyTo: { id: `true_${PRIYA}_Q2` } });
        expect(parsedMessage(envelope('message', payload)).replyToProviderId).toBe(`true_${PRIYA}_Q2`);
      });
    });

    describe('message.reaction', () => {
      const reaction = (text: string, over: Record<string, unknown> = {}) =>
        envelope('message.reaction', {
          id: `false_${PRIYA}_R1`,
          timestamp: 1763647400,
          from: PRIYA,
          fromMe: false,
          source: 'app',
          reaction: { text, messageId: `true_${PRIYA}_3EB0F1C2A9D84B7E6051` },
          ...over,
        });

      it('should turn a reaction into a reaction on the target', () => {
        expect(only(parseWahaWebhook(reaction('👍')), 'reaction')).toMatchObject({
          targetProviderMessageId: `true_${PRIYA}_3EB0F1C2A9D84B7E6051`,
          emoji: '👍',
          fromMe: false,
          identity: { address: '+919876543210' },
        });
      });

      it('should turn an empty reaction into a removal', () => {
        expect(only(parseWahaWebhook(reaction('')), 'reaction').emoji).toBe('');
      });

      it('should report our own reactions as fromMe', () => {
        expect(only(parseWahaWebhook(reaction('❤️', { id: `true_${PRIYA}_R2`, fromMe: true })), 'reaction').fromMe).toBe(true);
      });

      it('should ignore a reaction in a group', () => {
        const body = reaction('👍', { id: `false_120363025550001234@g.us_R3_${PRIYA}`, from: '120363025550001234@g.us' });
        expect(only(parseWahaWebhook(body), 'ignored').reason).toBe('group');
      });
    });

    describe('message.ack', () => {
      it.each([
        [-1, 'failed'],
        [0, 'pending'],
        [1, 'sent'],
        [2, 'delivered'],
        [3, 'read'],
        [4, 'played'],
      ])('should map ack %i to %s', (value, status) => {
        expect(only(parseWahaWebhook(envelope('message.ack', ack({ ack: value, ackName: undefined }))), 'status').status).toBe(status);
      });

      it('should carry the error of an ERROR ack', () => {
        const body = envelope(
          'message.ack',
          ack({ ack: -1, ackName: 'ERROR', error: { code: 463, blocked: true, reason: 'account restricted' } }),
        );
        const { status, error } = only(parseWahaWebhook(body), 'status');
        expect(status).toBe('failed');
        expect(error).toBeInstanceOf(ProviderError);
        expect(error).toMatchObject({ providerCode: '463', retryable: false });
        expect(error?.message).toContain('account restricted');
      });

      it('should carry a generic error for an ERROR ack without details', () => {
        expect(only(parseWahaWebhook(envelope('message.ack', ack({ ack: -1 }))), 'status').error).toMatchObject({ providerCode: 'ERROR' });
      });

      it('should use ackName when ack is missing', () => {
        const body = envelope('message.ack', ack({ ack: undefined, ackName: 'READ' }));
        expect(only(parseWahaWebhook(body), 'status').status).toBe('read');
      });

      it('should ignore an unknown ack', () => {
        expect(only(parseWahaWebhook(envelope('message.ack', ack({ ack: 9, ackName: 'WHAT' }))), 'ignored').reason).toBe('ack_9');
      });

      it('should rebuild a bare ack id', () => {
        const body = envelope('message.ack', ack({ id: '3EB0F1C2A9D84B7E6051' }));
        expect(only(parseWahaWebhook(body), 'status').providerMessageId).toBe(`true_${PRIYA}_3EB0F1C2A9D84B7E6051`);
      });

      it('should ignore receipts for inbound messages', () => {
        const body = envelope('message.ack', ack({ id: `false_${PRIYA}_3A01`, fromMe: false, ack: 3 }));
        expect(only(parseWahaWebhook(body), 'ignored').reason).toBe('receipt_for_inbound');
      });

      it('should ignore message.ack.group', () => {
        const body = envelope(
          'message.ack.group',
          ack({ id: `true_120363025550001234@g.us_3EB0_9999@lid`, from: '120363025550001234@g.us' }),
        );
        expect(only(parseWahaWebhook(body), 'ignored').reason).toBe('group');
      });
    });

    describe('message.revoked', () => {
      it('should delete the original by revokedMessageId, serialized from the notice chat', () => {
        const body = envelope('message.revoked', {
          before: null,
          after: waMessage({ id: `false_${PRIYA}_NOTICE1`, body: null }),
          revokedMessageId: '3A0000000000000000A1',
        });
        expect(only(parseWahaWebhook(body), 'deleted').providerMessageId).toBe(`false_${PRIYA}_3A0000000000000000A1`);
      });

      it('should serialize a revoked message of ours with true', () => {
        const body = envelope('message.revoked', {
          before: waMessage({ id: `true_${PRIYA}_3EB0AAAA`, fromMe: true }),
          after: waMessage({ id: `true_${PRIYA}_NOTICE2`, fromMe: true }),
          revokedMessageId: '3EB0AAAA',
        });
        expect(only(parseWahaWebhook(body), 'deleted').providerMessageId).toBe(`true_${PRIYA}_3EB0AAAA`);
      });

      it('should use the original from `before` when there is no revokedMessageId', () => {
        const body = envelope('message.revoked', { before: waMessage(), after: waMessage({ id: `false_${PRIYA}_NOTICE3` }) });
        expect(only(parseWahaWebhook(body), 'deleted').providerMessageId).toBe(`false_${PRIYA}_3A0000000000000000A1`);
      });

      it('should ignore a bare revokedMessageId without a chat', () => {
        const body = envelope('message.revoked', { before: null, after: null, revokedMessageId: '3A01' });
        expect(only(parseWahaWebhook(body), 'ignored').reason).toBe('revoked_without_chat');
      });

      it('should ignore a revoke in a group', () => {
        const body = envelope('message.revoked', {
          after: waMessage({ id: `false_120363025550001234@g.us_N_${PRIYA}` }),
          revokedMessageId: 'X',
        });
        expect(only(parseWahaWebhook(body), 'ignored').reason).toBe('group');
      });
    });

    describe('session.status', () => {
      it.each([
        ['WORKING', 'connected', false],
        ['STARTING', 'connecting', false],
        ['SCAN_QR_CODE', 'qr_required', true],
        ['STOPPED', 'disconnected', false],
        ['FAILED', 'disconnected', true],
        ['PASSKEY_REQUIRED', 'connecting', true],
        ['SOMETHING_NEW', 'unknown', false],
      ])('should map %s to %s (needsReauth %s)', (status, state, needsReauth) => {
        const body = envelope('session.status', { name: 'support-in', status, statuses: [] });
        expect(only(parseWahaWebhook(body), 'connection')).toEqual({
          type: 'connection',
          state,
          ownAddress: '+919812300000',
          needsReauth,
          qr: null,
        });
      });

      it('should leave the own address empty before the session is authenticated', () => {
        const body = envelope('session.status', { name: 'support-in', status: 'SCAN_QR_CODE' }, { me: null });
        expect(only(parseWahaWebhook(body), 'connection').ownAddress).toBeNull();
      });
    });

    it.each(['message.edited', 'presence.update', 'group.v2.join'])('should ignore %s as unhandled', (event) => {
      expect(only(parseWahaWebhook(envelope(event, {})), 'ignored').reason).toBe(`unhandled_event:${event}`);
    });
  });
});
