import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, fixtureBytes, fixtureText, MANIFEST, webhookFixtures } from '../../../test/support/fixtures';
import { rejection } from '../../../test/support/rejection';
import { ProviderError } from '../provider-error';
import type { InboundMessage, NeutralEvent, WebhookRequest } from '../provider.types';
import { describeTwilioWebhook, optOutOf, parseTwilioWebhook, twilioParams } from './twilio.parse';

type Fields = Record<string, string | string[]>;

const twilioWebhooks = webhookFixtures('twilio');

/** The raw form body Twilio would POST for these fields. */
function form(fields: Fields): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
}

/** A webhook as the controller hands it over: Fastify's parsed object plus the raw bytes. */
function request(fields: Fields, body: unknown = fields): WebhookRequest {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: Buffer.from(form(fields)),
    body,
    subPath: '',
    publicUrl: 'https://inbox.example.com/api/comms/webhooks/twilio',
  };
}

const SID = 'SM7310bff7a9c76f92a94449a1dda7ce90';
const MMS_SID = 'MMc781610ec0b3400c9e0cab8e757da937';
const EMILY = '+12025550143';

/** An inbound SMS from Emily to the US number in the Messaging Service (the inbound_text fixture's shape). */
function inbound(over: Fields = {}): Fields {
  return {
    ToCountry: 'US',
    SmsMessageSid: SID,
    NumMedia: '0',
    SmsSid: SID,
    SmsStatus: 'received',
    Body: 'Hello',
    To: '+14155550100',
    MessagingServiceSid: 'MG7a1b2c3d4e5f60718293a4b5c6d7e8f9',
    NumSegments: '1',
    MessageSid: SID,
    AccountSid: 'AC3f1e2d4c5b6a79880796a5b4c3d2e1f0',
    From: EMILY,
    ApiVersion: '2010-04-01',
    ...over,
  };
}

/** A status callback for our message to Oliver (the status_* fixtures' shape). */
function callback(status: string, over: Fields = {}): Fields {
  return {
    SmsSid: 'SMeb1cf4fb498a280ea3477e87f2b1ccfe',
    SmsStatus: status,
    MessageStatus: status,
    To: '+447700900123',
    MessageSid: 'SMeb1cf4fb498a280ea3477e87f2b1ccfe',
    AccountSid: 'AC3f1e2d4c5b6a79880796a5b4c3d2e1f0',
    From: '+447700900500',
    ApiVersion: '2010-04-01',
    ...over,
  };
}

const parse = (fields: Fields): NeutralEvent[] => parseTwilioWebhook(form(fields));

function only<T extends NeutralEvent['type']>(events: NeutralEvent[], type: T): Extract<NeutralEvent, { type: T }> {
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ type });
  return events[0] as Extract<NeutralEvent, { type: T }>;
}

const messagesOf = (events: NeutralEvent[]): InboundMessage[] =>
  events.filter((e): e is Extract<NeutralEvent, { type: 'message' }> => e.type === 'message').map((e) => e.message);

describe('twilio.parse', () => {
  describe('fixtures', () => {
    it('should find the shared fixtures folder', () => {
      expect(existsSync(join(FIXTURES_DIR, 'twilio', 'inbound_text.txt'))).toBe(true);
    });

    it('should list every Twilio fixture file in the manifest (as a file or a companion)', () => {
      const entries = MANIFEST.filter((f) => f.provider === 'twilio') as { file: string; companion?: string }[];
      const listed = entries.flatMap((f) => [f.file, ...(f.companion ? [f.companion] : [])]);
      const onDisk = readdirSync(join(FIXTURES_DIR, 'twilio')).map((name) => `twilio/${name}`);
      expect([...listed].sort()).toEqual([...onDisk].sort());
    });

    it('should have the same fields in each .txt body and its .json companion', () => {
      for (const { file } of twilioWebhooks) {
        const companion = JSON.parse(fixtureText(file.replace(/\.txt$/, '.json'))) as Record<string, string>;
        expect(Object.fromEntries(new URLSearchParams(fixtureText(file)))).toEqual(companion);
      }
    });
  });

  describe(twilioParams.name, () => {
    it('should keep every value of a repeated name from a parsed body', () => {
      expect(twilioParams({ MediaUrl: ['b', 'a'], To: '+1' })).toEqual({ MediaUrl: ['b', 'a'], To: ['+1'] });
    });

    it('should read the raw form when the body is a string', () => {
      expect(twilioParams('Body=Hi+there%21&MediaUrl=a&MediaUrl=b')).toEqual({ Body: ['Hi there!'], MediaUrl: ['a', 'b'] });
    });

    it('should read the raw bytes when there is no parsed object', () => {
      expect(twilioParams(undefined, Buffer.from('To=%2B14155550100'))).toEqual({ To: ['+14155550100'] });
    });

    it('should accept the null-prototype object Fastify builds', () => {
      const body = Object.assign(Object.create(null) as Record<string, unknown>, { From: EMILY });
      expect(twilioParams(body)).toEqual({ From: [EMILY] });
    });
  });

  describe(describeTwilioWebhook.name, () => {
    it('should route an inbound message by its Messaging Service, then by the number it was sent to', () => {
      const raw = fixtureText('twilio/inbound_text.txt');
      const fields = Object.fromEntries(new URLSearchParams(raw));
      expect(describeTwilioWebhook({ ...request(fields), rawBody: Buffer.from(raw) })).toEqual({
        routingKey: 'MG7a1b2c3d4e5f60718293a4b5c6d7e8f9',
        fallbackRoutingKeys: ['+14155550100'],
        dedupeKey: `twilio:${SID}`,
        eventType: 'message',
      });
    });

    it.each([
      ['twilio/status_sent.txt', 'sent'],
      ['twilio/status_delivered.txt', 'delivered'],
    ])('should route %s by our own number in From, keyed per status', (file, status) => {
      const raw = fixtureText(file);
      expect(describeTwilioWebhook({ ...request({}, raw), rawBody: Buffer.from(raw) })).toEqual({
        routingKey: '+447700900500',
        fallbackRoutingKeys: [],
        dedupeKey: `twilio:SMeb1cf4fb498a280ea3477e87f2b1ccfe:${status}`,
        eventType: 'status',
      });
    });

    it('should route a status callback of a Messaging Service message by the service, then From', () => {
      const envelope = describeTwilioWebhook(request(callback('delivered', { MessagingServiceSid: 'MG00000000000000000000000000000001' })));
      expect(envelope.routingKey).toBe('MG00000000000000000000000000000001');
      expect(envelope.fallbackRoutingKeys).toEqual(['+447700900500']);
    });

    it('should route an inbound message without a Messaging Service by To alone', () => {
      const envelope = describeTwilioWebhook(request(inbound({ MessagingServiceSid: [] })));
      expect(envelope).toMatchObject({ routingKey: '+14155550100', fallbackRoutingKeys: [] });
    });

    it('should treat MessageStatus=received as an inbound message, not a callback', () => {
      const envelope = describeTwilioWebhook(request(inbound({ MessageStatus: 'received' })));
      expect(envelope).toMatchObject({ eventType: 'message', dedupeKey: `twilio:${SID}` });
    });

    it('should read the raw bytes when the body was not parsed into an object', () => {
      const fields = inbound();
      expect(describeTwilioWebhook(request(fields, undefined)).dedupeKey).toBe(`twilio:${SID}`);
    });

    it('should use the first value of a repeated field', () => {
      const envelope = describeTwilioWebhook(request(inbound({ To: ['+14155550100', '+14155550199'] })));
      expect(envelope.fallbackRoutingKeys).toEqual(['+14155550100']);
    });

    it.each(['MessageSid', 'From', 'To'])('should refuse a webhook without %s with a 400 naming it', (name) => {
      const fields = inbound();
      delete fields[name];
      const err = rejection(() => describeTwilioWebhook(request(fields)));
      expect(err.statusCode).toBe(400);
      expect(err.message).toBe(`Twilio webhook is missing ${name}`);
    });

    it('should name every missing field at once', () => {
      const err = rejection(() => describeTwilioWebhook(request({ Body: 'hi' })));
      expect(err.statusCode).toBe(400);
      expect(err.message).toBe('Twilio webhook is missing MessageSid, From, To');
    });
  });

  describe(parseTwilioWebhook.name, () => {
    describe('manifest fixtures', () => {
      it.each(webhookFixtures('twilio', 'create_message'))('should turn $file into its message', ({ file, expect: exp }) => {
        const e = exp as unknown as { thread: { contact: string }; message: { type: string; text: string; providerMessageId: string } };
        const message = only(parseTwilioWebhook(fixtureText(file)), 'message').message;
        expect(message).toMatchObject({
          providerMessageId: e.message.providerMessageId,
          fromMe: false,
          kind: e.message.type,
          body: e.message.text,
          identity: { kind: 'person', address: e.thread.contact, phone: e.thread.contact, raw: e.thread.contact, aliases: [] },
          profileName: null,
          media: null,
          inlineMedia: null,
          status: null,
        });
      });

      it.each(webhookFixtures('twilio', 'update_status'))('should turn $file into its status', ({ file, expect: exp }) => {
        const e = exp as unknown as { providerMessageId: string; status: string };
        expect(parseTwilioWebhook(fixtureBytes(file).toString('utf8'))).toEqual([
          { type: 'status', providerMessageId: e.providerMessageId, status: e.status, error: null },
        ]);
      });

      it('should cover every Twilio webhook fixture', () => {
        expect(twilioWebhooks.map((f) => f.file).sort()).toEqual([
          'twilio/inbound_text.txt',
          'twilio/status_delivered.txt',
          'twilio/status_sent.txt',
        ]);
        expect(twilioWebhooks.every((f) => ['create_message', 'update_status'].includes(f.expect.action))).toBe(true);
      });

      it('should parse the .json companion (a parsed body) like the raw form', () => {
        const fromJson = parseTwilioWebhook(JSON.parse(fixtureText('twilio/inbound_text.json')));
        const fromForm = parseTwilioWebhook(fixtureText('twilio/inbound_text.txt'));
        expect({ ...fromJson[0], message: { ...(fromJson[0] as any).message, sentAt: null } }).toEqual({
          ...fromForm[0],
          message: { ...(fromForm[0] as any).message, sentAt: null },
        });
      });
    });

    describe('inbound SMS', () => {
      it('should stamp the message with the time it is ingested, Twilio sending none', () => {
        const before = Date.now();
        const message = only(parse(inbound()), 'message').message;
        expect(message.sentAt.getTime()).toBeGreaterThanOrEqual(before);
        expect(message.sentAt.getTime()).toBeLessThanOrEqual(Date.now());
      });

      it('should keep an empty body as an empty text', () => {
        expect(only(parse(inbound({ Body: '' })), 'message').message).toMatchObject({ kind: 'text', body: '' });
      });

      it('should ignore a sender that is not an E.164 number (short code, alphanumeric)', () => {
        expect(only(parse(inbound({ From: '22395' })), 'ignored').reason).toBe('sender_not_e164');
        expect(only(parse(inbound({ From: 'ACME' })), 'ignored').reason).toBe('sender_not_e164');
      });

      it('should ignore a WhatsApp sender of a mixed Messaging Service', () => {
        expect(only(parse(inbound({ From: `whatsapp:${EMILY}` })), 'ignored').reason).toBe('sender_not_e164');
      });
    });

    describe('MMS', () => {
      const mms = (over: Fields = {}): Fields =>
        inbound({
          MessageSid: MMS_SID,
          SmsMessageSid: MMS_SID,
          SmsSid: MMS_SID,
          NumMedia: '2',
          Body: 'Box arrived crushed, photos attached',
          MediaUrl0: `https://api.twilio.com/2010-04-01/Accounts/AC3f1e2d4c5b6a79880796a5b4c3d2e1f0/Messages/${MMS_SID}/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f0`,
          MediaContentType0: 'image/jpeg',
          MediaUrl1: `https://api.twilio.com/2010-04-01/Accounts/AC3f1e2d4c5b6a79880796a5b4c3d2e1f0/Messages/${MMS_SID}/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f1`,
          MediaContentType1: 'video/mp4',
          ...over,
        });

      it('should make the first file the message, with the text as its caption', () => {
        const [first] = messagesOf(parse(mms()));
        expect(first).toMatchObject({
          providerMessageId: MMS_SID,
          kind: 'image',
          body: 'Box arrived crushed, photos attached',
          media: {
            mimeType: 'image/jpeg',
            fileName: null,
            size: null,
            durationSec: null,
            providerRef: `https://api.twilio.com/2010-04-01/Accounts/AC3f1e2d4c5b6a79880796a5b4c3d2e1f0/Messages/${MMS_SID}/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f0`,
          },
        });
      });

      it('should give each further file a message of its own keyed sid/n', () => {
        const events = parse(mms());
        expect(events).toHaveLength(2);
        const [, second] = messagesOf(events);
        expect(second).toMatchObject({
          providerMessageId: `${MMS_SID}/1`,
          kind: 'video',
          body: null,
          media: { mimeType: 'video/mp4', providerRef: expect.stringMatching(/ME0a1b2c3d4e5f60718293a4b5c6d7e8f1$/) },
          identity: { address: EMILY },
        });
      });

      it.each([
        ['image/gif', 'image'],
        ['audio/amr', 'audio'],
        ['video/3gpp', 'video'],
        ['application/pdf', 'document'],
        ['text/vcard', 'document'],
      ])('should read %s as %s', (contentType, kind) => {
        const [first] = messagesOf(parse(mms({ NumMedia: '1', MediaContentType0: contentType, MediaUrl1: [], MediaContentType1: [] })));
        expect(first.kind).toBe(kind);
      });

      it('should leave the caption empty when the MMS has no text', () => {
        const [first] = messagesOf(parse(mms({ Body: '' })));
        expect(first.body).toBeNull();
      });

      it('should only read NumMedia files', () => {
        expect(messagesOf(parse(mms({ NumMedia: '1' })))).toHaveLength(1);
      });
    });

    describe('opt-out keywords', () => {
      it.each([
        'STOP',
        'stop',
        '  Stop  ',
        'STOPALL',
        'STOP ALL',
        'stop   all',
        'UNSUBSCRIBE',
        'CANCEL',
        'END',
        'QUIT',
        'OPTOUT',
        'REVOKE',
      ])('should add an opt-out after the message for %j', (body) => {
        const events = parse(inbound({ Body: body }));
        expect(events).toHaveLength(2);
        expect(events[0]).toMatchObject({ type: 'message', message: { body } });
        expect(events[1]).toEqual({ type: 'opt_out', identity: expect.objectContaining({ address: EMILY }), optedOut: true });
      });

      it.each(['START', 'yes', 'Unstop', 'OPTIN'])('should add an opt-in for %j', (body) => {
        expect(parse(inbound({ Body: body }))[1]).toMatchObject({ type: 'opt_out', optedOut: false });
      });

      it.each(['HELP', 'INFO', 'stop please', 'Please STOP', 'STOP.'])('should add nothing for %j', (body) => {
        expect(only(parse(inbound({ Body: body })), 'message').message.body).toBe(body);
      });

      it('should follow OptOutType=STOP for a keyword of the service (Advanced Opt-Out)', () => {
        expect(parse(inbound({ Body: 'ARRET', OptOutType: 'STOP' }))[1]).toMatchObject({ type: 'opt_out', optedOut: true });
      });

      it('should follow OptOutType=START', () => {
        expect(parse(inbound({ Body: 'REPRENDRE', OptOutType: 'START' }))[1]).toMatchObject({ type: 'opt_out', optedOut: false });
      });

      it('should add nothing for OptOutType=HELP', () => {
        expect(parse(inbound({ Body: 'AIDE', OptOutType: 'HELP' }))).toHaveLength(1);
      });

      it('should let OptOutType win over the body', () => {
        expect(optOutOf({ Body: ['STOP'], OptOutType: ['HELP'] })).toBeNull();
      });

      it('should opt out after every message of an MMS', () => {
        const events = parse(
          inbound({ NumMedia: '2', MediaUrl0: 'https://api.twilio.com/m0', MediaUrl1: 'https://api.twilio.com/m1', Body: 'STOP' }),
        );
        expect(events.map((e) => e.type)).toEqual(['message', 'message', 'opt_out']);
      });
    });

    describe('status callbacks', () => {
      it.each([
        ['queued', 'pending'],
        ['accepted', 'pending'],
        ['scheduled', 'pending'],
        ['sending', 'pending'],
        ['sent', 'sent'],
        ['delivered', 'delivered'],
        ['read', 'read'],
      ])('should map %s to %s', (raw, status) => {
        expect(parse(callback(raw))).toEqual([
          { type: 'status', providerMessageId: 'SMeb1cf4fb498a280ea3477e87f2b1ccfe', status, error: null },
        ]);
      });

      it.each([
        ['30003', 'unavailable', false, 'Twilio 30003: unreachable destination handset'],
        ['30005', 'invalid_recipient', false, 'Twilio 30005: unknown destination handset'],
        ['30006', 'invalid_recipient', false, 'Twilio 30006: landline or unreachable carrier'],
        ['30007', 'bad_request', false, 'Twilio 30007: message filtered by the carrier'],
        ['30008', 'unknown', false, 'Twilio 30008: unknown error'],
        ['21610', 'opted_out', false, 'Twilio 21610: the recipient has unsubscribed (replied STOP)'],
      ])('should fail an undelivered message with ErrorCode %s as %s', (code, neutral, retryable, message) => {
        const ev = only(parse(callback('undelivered', { ErrorCode: code })), 'status');
        expect(ev.status).toBe('failed');
        expect(ev.error).toBeInstanceOf(ProviderError);
        expect({ ...ev.error }).toMatchObject({ code: neutral, providerCode: code, retryable });
        expect(ev.error!.message).toBe(message);
      });

      it('should fail a failed message with its ErrorCode', () => {
        const ev = only(parse(callback('failed', { ErrorCode: '21211' })), 'status');
        expect(ev.status).toBe('failed');
        expect({ ...ev.error }).toMatchObject({ code: 'invalid_recipient', providerCode: '21211' });
        expect(ev.error!.message).toBe("Twilio 21211: invalid 'To' phone number");
      });

      it('should keep an unknown ErrorCode with a link to its documentation', () => {
        const ev = only(parse(callback('undelivered', { ErrorCode: '30044' })), 'status');
        expect({ ...ev.error }).toMatchObject({ code: 'unknown', providerCode: '30044', retryable: false });
        expect(ev.error!.message).toBe('Twilio 30044: message undelivered (https://www.twilio.com/docs/api/errors/30044)');
      });

      it('should fail a canceled message without an ErrorCode', () => {
        const ev = only(parse(callback('canceled')), 'status');
        expect(ev.status).toBe('failed');
        expect({ ...ev.error }).toMatchObject({ code: 'unknown', providerCode: null, retryable: false });
        expect(ev.error!.message).toBe('Twilio canceled the message before it was sent');
      });

      it('should fail a failed message that has no ErrorCode', () => {
        expect(only(parse(callback('failed')), 'status').error!.message).toBe('Twilio reported the message as failed');
      });

      it('should ignore a status it has no mapping for', () => {
        expect(only(parse(callback('partially_delivered')), 'ignored').reason).toBe('status_partially_delivered');
      });

      it('should ignore an ErrorCode on a status that is not a failure', () => {
        expect(only(parse(callback('delivered', { ErrorCode: '30003' })), 'status').error).toBeNull();
      });
    });

    it('should ignore a body without a MessageSid', () => {
      expect(only(parseTwilioWebhook('Body=hi'), 'ignored').reason).toBe('no_message_sid');
    });
  });
});
