import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, fixtureBytes, MANIFEST, webhookFixtures, type ManifestEntry } from '../../../test/support/fixtures';
import { rejection } from '../../../test/support/rejection';
import { ProviderError } from '../provider-error';
import type { ChannelContext, InboundMessage, NeutralEvent, WebhookRequest } from '../provider.types';
import { describeMetaWebhook, parseMetaWebhook } from './meta.parse';
import type { MetaChangeValue, MetaContact, MetaEcho, MetaMessage, MetaStatus } from './meta.types';

interface MessageExpect {
  thread: { contact: string; name?: string };
  message: {
    direction: 'inbound' | 'outbound';
    type: string;
    text?: string;
    media?: { mimeType: string; mediaId?: string };
    providerMessageId: string;
  };
}

const metaWebhooks = webhookFixtures('meta');
const withAction = (action: string): ManifestEntry[] => webhookFixtures('meta', action);

const PHONE_NUMBER_ID = '109876543210987';
const channel: ChannelContext = {
  id: 'channel-meta',
  provider: 'meta',
  config: { phoneNumberId: PHONE_NUMBER_ID },
  secrets: { accessToken: 't', appSecret: 's', verifyToken: 'v' },
  callbackUrl: 'https://inbox.example.com/api/comms/webhooks/meta',
};

function request(body: unknown, rawBody: Buffer = Buffer.from(JSON.stringify(body) ?? '')): WebhookRequest {
  return { headers: { 'content-type': 'application/json' }, rawBody, body, subPath: '', publicUrl: '' };
}

function fixtureRequest(file: string): WebhookRequest {
  const raw = fixtureBytes(file);
  return request(JSON.parse(raw.toString('utf8')), raw);
}

/** One `changes[]` item of a `messages` field for our number; override anything in `value`. */
function change(value: Partial<MetaChangeValue> = {}, field = 'messages', phoneNumberId = PHONE_NUMBER_ID) {
  return {
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '12025550100', phone_number_id: phoneNumberId },
      ...value,
    },
    field,
  };
}

function notification(...entries: ReturnType<typeof change>[][]) {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((changes) => ({ id: '102938475610293', changes })),
  };
}

const emily: MetaContact = { profile: { name: 'Emily Carter' }, wa_id: '12025550143' };

function message(over: Partial<MetaMessage> = {}): MetaMessage {
  return {
    from: '12025550143',
    id: 'wamid.EMILY1',
    timestamp: '1763647399',
    type: 'text',
    text: { body: 'Hi!' },
    ...over,
  };
}

function status(over: Partial<MetaStatus> = {}): MetaStatus {
  return { id: 'wamid.OURS1', status: 'delivered', timestamp: '1763647425', recipient_id: '12025550143', ...over };
}

/** A POST with one message from Emily (or several), as Meta sends it. */
function inbound(messages: MetaMessage[] | MetaMessage, contacts: MetaContact[] = [emily]) {
  return notification([change({ contacts, messages: Array.isArray(messages) ? messages : [messages] })]);
}

function parse(body: unknown): NeutralEvent[] {
  return parseMetaWebhook(body, channel);
}

function only<T extends NeutralEvent['type']>(events: NeutralEvent[], type: T): Extract<NeutralEvent, { type: T }> {
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ type });
  return events[0] as Extract<NeutralEvent, { type: T }>;
}

function parsedMessage(body: unknown): InboundMessage {
  return only(parse(body), 'message').message;
}

function expectedMessage({ thread, message: m }: MessageExpect): Record<string, unknown> {
  return {
    providerMessageId: m.providerMessageId,
    fromMe: m.direction === 'outbound',
    kind: m.type,
    identity: expect.objectContaining({ kind: 'person', address: thread.contact }),
    ...(thread.name !== undefined ? { profileName: thread.name } : {}),
    ...(m.text !== undefined ? { body: m.text } : {}),
    ...(m.media !== undefined
      ? { media: expect.objectContaining({ mimeType: m.media.mimeType, ...(m.media.mediaId ? { providerRef: m.media.mediaId } : {}) }) }
      : {}),
    inlineMedia: null,
  };
}

describe('meta.parse', () => {
  describe('fixtures', () => {
    it('should find the shared fixtures folder', () => {
      expect(existsSync(join(FIXTURES_DIR, 'meta', 'inbound_text.json'))).toBe(true);
    });

    it('should list every Meta fixture file in the manifest', () => {
      const listed = MANIFEST.filter((f) => f.provider === 'meta').map((f) => f.file);
      const onDisk = readdirSync(join(FIXTURES_DIR, 'meta')).map((name) => `meta/${name}`);
      expect([...listed].sort()).toEqual([...onDisk].sort());
    });

    it('should cover every action of the Meta webhook fixtures', () => {
      expect([...new Set(metaWebhooks.map((f) => f.expect.action))].sort()).toEqual(['create_message', 'ignore', 'update_status']);
    });
  });

  describe(describeMetaWebhook.name, () => {
    it.each(metaWebhooks)('should route $file by phone_number_id', ({ file }) => {
      expect(describeMetaWebhook(fixtureRequest(file)).routingKey).toBe(PHONE_NUMBER_ID);
    });

    it.each([
      ['meta/inbound_text.json', 'messages'],
      ['meta/status_read.json', 'statuses'],
    ])('should name %s a %s event', (file, eventType) => {
      expect(describeMetaWebhook(fixtureRequest(file)).eventType).toBe(eventType);
    });

    it('should name a POST with messages and statuses mixed', () => {
      const body = notification([change({ contacts: [emily], messages: [message()], statuses: [status()] })]);
      expect(describeMetaWebhook(request(body)).eventType).toBe('mixed');
    });

    it('should name other changes by their field', () => {
      const body = notification([change({ message_echoes: [] }, 'smb_message_echoes')]);
      expect(describeMetaWebhook(request(body)).eventType).toBe('smb_message_echoes');
    });

    it('should key the event by the sha256 of the raw bytes', () => {
      const raw = fixtureBytes('meta/inbound_text.json');
      const digest = createHash('sha256').update(raw).digest('hex');
      expect(describeMetaWebhook(fixtureRequest('meta/inbound_text.json')).dedupeKey).toBe(`meta:${digest}`);
    });

    it('should give an identical redelivery the same dedupe key', () => {
      const a = describeMetaWebhook(fixtureRequest('meta/status_sent.json'));
      const b = describeMetaWebhook(fixtureRequest('meta/status_sent.json'));
      expect(b.dedupeKey).toBe(a.dedupeKey);
    });

    it('should give different POSTs different dedupe keys', () => {
      const keys = metaWebhooks.map((f) => describeMetaWebhook(fixtureRequest(f.file)).dedupeKey);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it.each([
      ['a non-object body', [1, 2], /JSON object/],
      ['a missing object', { entry: [] }, /"object"/],
      ['another object', { object: 'page', entry: [{ changes: [change()] }] }, /"object"/],
      ['a missing entry', { object: 'whatsapp_business_account' }, /"entry"/],
      ['an empty entry', { object: 'whatsapp_business_account', entry: [] }, /"entry"/],
      [
        'a missing phone_number_id',
        notification([{ value: { messaging_product: 'whatsapp' }, field: 'messages' } as never]),
        /phone_number_id/,
      ],
      ['an entry without changes', { object: 'whatsapp_business_account', entry: [{ id: '1' }] }, /phone_number_id/],
    ])('should reject %s with 400 naming the problem', (_name, body, message) => {
      const err = rejection(() => describeMetaWebhook(request(body)));
      expect(err.statusCode).toBe(400);
      expect(err.message).toMatch(message);
    });
  });

  describe(parseMetaWebhook.name, () => {
    describe('fixtures', () => {
      it.each(withAction('create_message'))('should turn $file into the expected message', (entry) => {
        const msg = parsedMessage(JSON.parse(fixtureBytes(entry.file).toString('utf8')));
        expect(msg).toMatchObject(expectedMessage(entry.expect as unknown as MessageExpect));
      });

      it.each(withAction('update_status'))('should turn $file into a status update', (entry) => {
        const event = only(parse(JSON.parse(fixtureBytes(entry.file).toString('utf8'))), 'status');
        expect(event).toEqual({
          type: 'status',
          providerMessageId: entry.expect.providerMessageId,
          status: entry.expect.status,
          error: null,
        });
      });

      it.each(withAction('ignore'))('should ignore $file', (entry) => {
        expect(parse(JSON.parse(fixtureBytes(entry.file).toString('utf8')))).toEqual([{ type: 'ignored', reason: entry.expect.reason }]);
      });

      it('should keep the wa_id as the raw address of the text fixture', () => {
        const msg = parsedMessage(JSON.parse(fixtureBytes('meta/inbound_text.json').toString('utf8')));
        expect(msg.identity).toEqual({ kind: 'person', address: '+12025550143', phone: '+12025550143', raw: '12025550143', aliases: [] });
      });

      it('should read sentAt from the epoch-seconds timestamp', () => {
        const msg = parsedMessage(JSON.parse(fixtureBytes('meta/inbound_text.json').toString('utf8')));
        expect(msg.sentAt).toEqual(new Date(1763647399 * 1000));
      });
    });

    describe('batches', () => {
      it('should return every message and status of two entries, in order', () => {
        const body = notification(
          [
            change({
              contacts: [emily, { profile: { name: 'Oliver Bennett' }, wa_id: '447700900123' }],
              messages: [message({ id: 'wamid.A' }), message({ id: 'wamid.B', from: '447700900123' })],
              statuses: [status({ id: 'wamid.S1', status: 'sent' })],
            }),
          ],
          [
            change({ statuses: [status({ id: 'wamid.S2', status: 'read' }), status({ id: 'wamid.S3', status: 'delivered' })] }),
            change({ contacts: [emily], messages: [message({ id: 'wamid.C', text: { body: 'again' } })] }),
          ],
        );
        const events = parse(body);
        expect(
          events.map((e) =>
            e.type === 'message' ? e.message.providerMessageId : e.type === 'status' ? `${e.providerMessageId}:${e.status}` : e.type,
          ),
        ).toEqual(['wamid.A', 'wamid.B', 'wamid.S1:sent', 'wamid.S2:read', 'wamid.S3:delivered', 'wamid.C']);
      });

      it('should match each message to its own contact name', () => {
        const body = inbound(
          [message({ id: 'wamid.A' }), message({ id: 'wamid.B', from: '447700900123' })],
          [emily, { profile: { name: 'Oliver Bennett' }, wa_id: '447700900123' }],
        );
        expect(parse(body).map((e) => (e.type === 'message' ? e.message.profileName : null))).toEqual(['Emily Carter', 'Oliver Bennett']);
      });

      it('should ignore changes for another phone_number_id and keep ours', () => {
        const body = notification([
          change({ contacts: [emily], messages: [message({ id: 'wamid.OURS' })] }),
          change({ contacts: [emily], messages: [message({ id: 'wamid.THEIRS' })] }, 'messages', '100000000000001'),
        ]);
        const events = parse(body);
        expect(events).toHaveLength(2);
        expect(events[0]).toMatchObject({ type: 'message', message: { providerMessageId: 'wamid.OURS' } });
        expect(events[1]).toEqual({ type: 'ignored', reason: 'other_phone_number' });
      });

      it('should ignore fields the inbox does not use', () => {
        const body = notification([change({}, 'account_update')]);
        expect(parse(body)).toEqual([{ type: 'ignored', reason: 'unhandled_field:account_update' }]);
      });
    });

    describe('statuses', () => {
      it.each(['sent', 'delivered', 'read', 'played'])('should map %s', (name) => {
        expect(only(parse(notification([change({ statuses: [status({ status: name })] })])), 'status')).toMatchObject({
          providerMessageId: 'wamid.OURS1',
          status: name,
          error: null,
        });
      });

      it('should accept a read without a prior delivered', () => {
        expect(only(parse(notification([change({ statuses: [status({ status: 'read' })] })])), 'status').status).toBe('read');
      });

      it.each([
        {
          code: 131047,
          title: 'Re-engagement message',
          details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
          neutral: 'window_closed',
        },
        {
          code: 131026,
          title: 'Receiver is incapable of receiving this message',
          details: 'Message Undeliverable.',
          neutral: 'invalid_recipient',
        },
      ])('should turn a failed status with $code into $neutral', ({ code, title, details, neutral }) => {
        const st = status({ status: 'failed', errors: [{ code, title, message: title, error_data: { details } }] });
        const event = only(parse(notification([change({ statuses: [st] })])), 'status');
        expect(event.status).toBe('failed');
        expect(event.error).toBeInstanceOf(ProviderError);
        expect(event.error).toMatchObject({ code: neutral, message: details, providerCode: String(code), retryable: false });
      });

      it('should fall back to the title when a failure has no details', () => {
        const st = status({ status: 'failed', errors: [{ code: 131000, title: 'Something went wrong' }] });
        expect(only(parse(notification([change({ statuses: [st] })])), 'status').error).toMatchObject({
          code: 'unavailable',
          message: 'Something went wrong',
          retryable: true,
        });
      });

      it('should map an unknown failure code to unknown', () => {
        const st = status({ status: 'failed', errors: [{ code: 999999, title: 'New thing' }] });
        expect(only(parse(notification([change({ statuses: [st] })])), 'status').error).toMatchObject({
          code: 'unknown',
          providerCode: '999999',
        });
      });

      it('should ignore statuses of messages sent to a group', () => {
        const st = status({ recipient_id: 'Y2hhdF9ncm91cF9hY21lX2JyXzAx', recipient_type: 'group' });
        expect(parse(notification([change({ statuses: [st] })]))).toEqual([{ type: 'ignored', reason: 'group' }]);
      });

      it('should accept a status sent to a BSUID (no recipient_id)', () => {
        const st = status({ recipient_id: undefined, recipient_user_id: 'US.13502469813579' });
        expect(only(parse(notification([change({ statuses: [st] })])), 'status').status).toBe('delivered');
      });
    });

    describe('identity', () => {
      it('should canonicalise a Brazilian 12-digit wa_id and keep it raw for replies', () => {
        const bruno: MetaContact = { profile: { name: 'Bruno Lima' }, wa_id: '553198765432' };
        const msg = parsedMessage(inbound(message({ from: '553198765432' }), [bruno]));
        expect(msg.identity).toEqual({
          kind: 'person',
          address: '+5531998765432',
          phone: '+5531998765432',
          raw: '553198765432',
          aliases: [],
        });
        expect(msg.profileName).toBe('Bruno Lima');
      });

      it('should key a username user without from/wa_id by bsuid', () => {
        const rafa: MetaContact = { profile: { name: 'Rafa', username: 'rafa.store' }, user_id: 'BR.73519246801357' };
        const msg = parsedMessage(inbound(message({ from: undefined, from_user_id: 'BR.73519246801357' }), [rafa]));
        expect(msg.identity).toEqual({
          kind: 'person',
          address: 'bsuid:BR.73519246801357',
          phone: null,
          raw: 'bsuid:BR.73519246801357',
          aliases: [],
        });
        expect(msg.profileName).toBe('Rafa');
      });

      it('should fall back to the username when a username user has no profile name', () => {
        const rafa: MetaContact = { profile: { username: 'rafa.store' }, user_id: 'BR.73519246801357' };
        expect(parsedMessage(inbound(message({ from: undefined, from_user_id: 'BR.73519246801357' }), [rafa])).profileName).toBe(
          'rafa.store',
        );
      });

      it('should key by phone and alias the BSUID when both are present', () => {
        const both: MetaContact = { profile: { name: 'Emily Carter' }, wa_id: '12025550143', user_id: 'US.13502469813579' };
        const msg = parsedMessage(inbound(message({ from_user_id: 'US.13502469813579' }), [both]));
        expect(msg.identity).toMatchObject({ address: '+12025550143', raw: '12025550143', aliases: ['bsuid:US.13502469813579'] });
      });

      it('should ignore a message with no sender at all', () => {
        expect(parse(inbound(message({ from: undefined }), []))).toEqual([{ type: 'ignored', reason: 'no_sender' }]);
      });

      it('should leave the profile name empty when no contact matches', () => {
        expect(parsedMessage(inbound(message(), [])).profileName).toBeNull();
      });
    });

    describe('message types', () => {
      it('should read a voice note as voice with its media id', () => {
        const msg = parsedMessage(
          inbound(
            message({
              type: 'audio',
              text: undefined,
              audio: { mime_type: 'audio/ogg; codecs=opus', id: '2847193650021784', voice: true },
            }),
          ),
        );
        expect(msg).toMatchObject({
          kind: 'voice',
          body: null,
          media: { mimeType: 'audio/ogg; codecs=opus', providerRef: '2847193650021784' },
        });
      });

      it('should read audio without voice as audio', () => {
        const msg = parsedMessage(inbound(message({ type: 'audio', text: undefined, audio: { mime_type: 'audio/mpeg', id: '77' } })));
        expect(msg.kind).toBe('audio');
      });

      it('should keep a document filename and caption', () => {
        const msg = parsedMessage(
          inbound(
            message({
              type: 'document',
              text: undefined,
              document: { caption: 'Invoice', filename: 'invoice-88412.pdf', mime_type: 'application/pdf', id: '991' },
            }),
          ),
        );
        expect(msg).toMatchObject({
          kind: 'document',
          body: 'Invoice',
          media: { mimeType: 'application/pdf', fileName: 'invoice-88412.pdf', size: null, durationSec: null, providerRef: '991' },
        });
      });

      it.each(['video', 'sticker'] as const)('should read %s as media', (type) => {
        const msg = parsedMessage(inbound(message({ type, text: undefined, [type]: { mime_type: 'x/y', id: '5' } })));
        expect(msg).toMatchObject({ kind: type, media: { providerRef: '5' } });
      });

      it('should read a location', () => {
        const msg = parsedMessage(
          inbound(
            message({
              type: 'location',
              text: undefined,
              location: { latitude: -23.56, longitude: -46.65, name: 'Loja', address: 'Av. Paulista' },
            }),
          ),
        );
        expect(msg).toMatchObject({
          kind: 'location',
          body: null,
          location: { latitude: -23.56, longitude: -46.65, name: 'Loja', address: 'Av. Paulista' },
        });
      });

      it('should read shared contacts by name', () => {
        const msg = parsedMessage(
          inbound(message({ type: 'contacts', text: undefined, contacts: [{ name: { formatted_name: 'Ana Souza' } }] })),
        );
        expect(msg).toMatchObject({ kind: 'contact', body: 'Ana Souza' });
      });

      it.each([
        ['button_reply', { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes, ship it' } }, 'Yes, ship it'],
        ['list_reply', { type: 'list_reply', list_reply: { id: 'm', title: 'Size M', description: 'Medium' } }, 'Size M'],
      ])('should read an interactive %s as the text of the choice', (_name, interactive, text) => {
        const msg = parsedMessage(inbound(message({ type: 'interactive', text: undefined, interactive })));
        expect(msg).toMatchObject({ kind: 'text', body: text });
      });

      it('should read a template quick-reply button as its text', () => {
        const msg = parsedMessage(inbound(message({ type: 'button', text: undefined, button: { text: 'Track order', payload: 'TRACK' } })));
        expect(msg).toMatchObject({ kind: 'text', body: 'Track order' });
      });

      it('should keep an unsupported message as unsupported', () => {
        const msg = parsedMessage(
          inbound(
            message({
              type: 'unsupported',
              text: undefined,
              unsupported: { type: 'poll' },
              errors: [{ code: 131051, title: 'Message type unknown' }],
            }),
          ),
        );
        expect(msg).toMatchObject({ kind: 'unsupported', body: null });
      });

      it('should ignore system messages', () => {
        expect(
          parse(
            inbound(message({ type: 'system', text: undefined, system: { body: 'User changed number', type: 'user_changed_number' } })),
          ),
        ).toEqual([{ type: 'ignored', reason: 'system' }]);
      });

      it('should ignore group messages', () => {
        expect(parse(inbound(message({ group_id: 'Y2hhdF9ncm91cF9hY21lX2JyXzAx' })))).toEqual([{ type: 'ignored', reason: 'group' }]);
      });

      it('should link a reply to the message it quotes', () => {
        const msg = parsedMessage(inbound(message({ context: { from: '12025550100', id: 'wamid.OURS1' } })));
        expect(msg.replyToProviderId).toBe('wamid.OURS1');
      });

      it('should leave replyToProviderId empty without context', () => {
        expect(parsedMessage(inbound(message())).replyToProviderId).toBeNull();
      });
    });

    describe('reactions', () => {
      it('should turn a reaction into a reaction event on its target', () => {
        const event = only(
          parse(inbound(message({ type: 'reaction', text: undefined, reaction: { message_id: 'wamid.OURS1', emoji: '\u{1F44D}' } }))),
          'reaction',
        );
        expect(event).toEqual({
          type: 'reaction',
          targetProviderMessageId: 'wamid.OURS1',
          emoji: '\u{1F44D}',
          fromMe: false,
          identity: expect.objectContaining({ address: '+12025550143' }),
        });
      });

      it('should read a reaction without emoji as a removal', () => {
        const event = only(
          parse(inbound(message({ type: 'reaction', text: undefined, reaction: { message_id: 'wamid.OURS1' } }))),
          'reaction',
        );
        expect(event.emoji).toBe('');
      });
    });

    describe('smb_message_echoes', () => {
      function echo(over: Partial<MetaEcho> = {}): MetaEcho {
        return {
          from: '12025550100',
          to: '12025550143',
          id: 'wamid.ECHO1',
          timestamp: '1763647500',
          type: 'text',
          text: { body: 'Typed in the app' },
          ...over,
        };
      }
      const echoes = (...items: MetaEcho[]) => notification([change({ message_echoes: items }, 'smb_message_echoes')]);

      it('should turn an echo into a fromMe message to the user in `to`', () => {
        const msg = parsedMessage(echoes(echo()));
        expect(msg).toMatchObject({
          providerMessageId: 'wamid.ECHO1',
          fromMe: true,
          profileName: null,
          kind: 'text',
          body: 'Typed in the app',
          status: 'sent',
          identity: { address: '+12025550143', raw: '12025550143' },
          sentAt: new Date(1763647500 * 1000),
        });
      });

      it('should accept a `to` written with a plus', () => {
        expect(parsedMessage(echoes(echo({ to: '+12025550143' }))).identity).toMatchObject({ address: '+12025550143', raw: '12025550143' });
      });

      it('should turn a revoke echo into a deletion of the original', () => {
        const revoke = echo({ type: 'revoke', text: undefined, revoke: { original_message_id: 'wamid.ECHO0' } });
        expect(parse(echoes(revoke))).toEqual([{ type: 'deleted', providerMessageId: 'wamid.ECHO0' }]);
      });

      it('should ignore an edit echo', () => {
        const edit = echo({ type: 'edit', text: undefined, edit: { original_message_id: 'wamid.ECHO0', message: { type: 'text' } } });
        expect(parse(echoes(edit))).toEqual([{ type: 'ignored', reason: 'edit' }]);
      });
    });
  });
});
