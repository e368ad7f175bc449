import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rejection } from '../../../test/support/rejection';
import { ProviderError } from '../provider-error';
import type { NeutralEvent, WebhookRequest } from '../provider.types';
import { describeAndroidSmsWebhook, failureError, parseAndroidSmsWebhook, smsIdentity } from './android-sms.parse';

const TESTDATA = join(__dirname, 'testdata');
const raw = (file: string): string => readFileSync(join(TESTDATA, file), 'utf8');
const json = <T = any>(file: string): T => JSON.parse(raw(file)) as T;

function request(body: string | object): WebhookRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { headers: {}, rawBody: Buffer.from(text), body: JSON.parse(text) as unknown, subPath: '', publicUrl: '' };
}

const US = { defaultCountry: 'US' };
const BR = { defaultCountry: 'BR' };

describe(describeAndroidSmsWebhook.name, () => {
  const sut = describeAndroidSmsWebhook;

  it('should route by deviceId and dedupe by the envelope id', () => {
    expect(sut(request(raw('sms_received.json')))).toEqual({
      routingKey: 'ffffffffceb0b1db0000018e937c815b',
      dedupeKey: 'android_sms:ffffffffceb0b1db0000018e937c815b:Ey6ECgOkVVFjz3CL48B8C',
      eventType: 'sms:received',
    });
  });

  it('should give a status event its own key (the envelope id)', () => {
    expect(sut(request(raw('sms_delivered.json'))).dedupeKey).toBe('android_sms:ffffffffceb0b1db0000018e937c815b:Jm5pQ9rS2tU6vW0xY3zB7');
  });

  it('should key an envelope without id by its bytes, the same for a retry and different for another event', () => {
    const { id: _id, ...noId } = json('sms_sent.json');
    const first = sut(request(noId)).dedupeKey;
    expect(first).toMatch(/^android_sms:ffffffffceb0b1db0000018e937c815b:sms:sent:[0-9a-f]{64}$/);
    expect(sut(request(noId)).dedupeKey).toBe(first);
    const { id: _id2, ...otherNoId } = json('sms_delivered.json');
    expect(sut(request(otherNoId)).dedupeKey).not.toBe(first);
  });

  it.each([
    ['an array', [], 'SMS Gateway webhook body must be a JSON object'],
    ['no deviceId', { event: 'sms:received', payload: {} }, 'SMS Gateway webhook is missing the string field(s) "deviceId"'],
    ['no event and no deviceId', { payload: {} }, 'SMS Gateway webhook is missing the string field(s) "event", "deviceId"'],
  ])('should refuse %s with 400', (_case, body, message) => {
    const err = rejection(() => sut(request(body)));
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe(message);
  });
});

describe(parseAndroidSmsWebhook.name, () => {
  const sut = parseAndroidSmsWebhook;

  it('should turn sms:received into an inbound text message from the sender', () => {
    expect(sut(json('sms_received.json'), BR)).toEqual([
      {
        type: 'message',
        message: {
          providerMessageId: 'rx:+16505551212:5d1e2f3a',
          fromMe: false,
          identity: { kind: 'person', address: '+16505551212', phone: '+16505551212', raw: '+16505551212', aliases: [] },
          profileName: null,
          kind: 'text',
          body: 'Android is always a sweet treat!',
          sentAt: new Date('2024-06-22T08:46:11.000Z'),
          media: null,
          location: null,
          replyToProviderId: null,
          inlineMedia: null,
          status: null,
        },
      },
    ]);
  });

  it('should read the 2024 payload (phoneNumber only, national format) in the default country', () => {
    const [ev] = sut(json('sms_received_legacy.json'), US);
    expect(ev).toMatchObject({
      type: 'message',
      message: {
        providerMessageId: 'rx:+16505551212:abc123',
        identity: { address: '+16505551212' },
        body: 'Android is always a sweet treat!',
      },
    });
  });

  it("should read a national-format sender in the receiving SIM's country rather than the default", () => {
    const [ev] = sut(json('sms_received_national.json'), BR);
    expect(ev).toMatchObject({
      type: 'message',
      message: {
        providerMessageId: 'rx:+919876543210:9c0a41e7',
        identity: { address: '+919876543210', phone: '+919876543210', raw: '+919876543210' },
        sentAt: new Date('2026-02-17T06:30:00.000Z'),
      },
    });
  });

  it('should give the same message the same id when the phone exports it again under a new envelope', () => {
    const live = json('sms_received.json');
    const exported = { ...live, id: 'Q2w3E4r5T6y7U8i9O0pAs', webhookId: 'another-registration' };
    const ids = [live, exported].map((b) => (sut(b, US)[0] as Extract<NeutralEvent, { type: 'message' }>).message.providerMessageId);
    expect(ids[1]).toBe(ids[0]);
  });

  it('should scope the 32-bit messageId by sender, so two senders with the same hash stay two messages', () => {
    const a = json('sms_received.json');
    const b = { ...a, payload: { ...a.payload, sender: '+16505551299', phoneNumber: '+16505551299' } };
    const [ea, eb] = [a, b].map((x) => (sut(x, US)[0] as Extract<NeutralEvent, { type: 'message' }>).message.providerMessageId);
    expect(ea).toBe('rx:+16505551212:5d1e2f3a');
    expect(eb).toBe('rx:+16505551299:5d1e2f3a');
  });

  it('should derive an id from time and text when an old version sends no messageId', () => {
    const { messageId: _m, ...payload } = json('sms_received.json').payload;
    const body = { ...json('sms_received.json'), payload };
    const [first] = sut(body, US) as Extract<NeutralEvent, { type: 'message' }>[];
    expect(first.message.providerMessageId).toMatch(/^rx:\+16505551212:h[0-9a-f]{16}$/);
    const other = { ...body, payload: { ...payload, message: 'something else' } };
    expect((sut(other, US)[0] as Extract<NeutralEvent, { type: 'message' }>).message.providerMessageId).not.toBe(
      first.message.providerMessageId,
    );
  });

  it('should ignore an alphanumeric sender id (nothing to reply to)', () => {
    expect(sut(json('sms_received_alphanumeric.json'), BR)).toEqual([{ type: 'ignored', reason: 'not_a_phone_number' }]);
  });

  it('should turn every message of sms:batch:received into its own message event', () => {
    const events = sut(json('sms_batch_received.json'), US) as Extract<NeutralEvent, { type: 'message' }>[];
    expect(events.map((e) => [e.type, e.message.providerMessageId, e.message.body])).toEqual([
      ['message', 'rx:+16505551212:1a2b3c4d', 'First'],
      ['message', 'rx:+16505551213:5e6f7a8b', 'Second'],
    ]);
  });

  it.each([
    ['sms_sent.json', 'sent'],
    ['sms_delivered.json', 'delivered'],
  ])('should turn %s into status %s for our message id', (file, status) => {
    expect(sut(json(file), US)).toEqual([{ type: 'status', providerMessageId: 'zXDYfTmTVf3iMd16zzdBj', status, error: null }]);
  });

  it('should turn sms:failed into status failed with the reason', () => {
    const [ev] = sut(json('sms_failed.json'), US) as Extract<NeutralEvent, { type: 'status' }>[];
    expect(ev).toMatchObject({ type: 'status', providerMessageId: 'zXDYfTmTVf3iMd16zzdBj', status: 'failed' });
    expect(ev.error).toBeInstanceOf(ProviderError);
    expect(ev.error).toMatchObject({
      code: 'unknown',
      message: 'Send result: RESULT_ERROR_GENERIC_FAILURE',
      providerCode: 'RESULT_ERROR_GENERIC_FAILURE',
      retryable: false,
    });
  });

  it('should read the failure from `error` when a payload names it so', () => {
    const body = json('sms_failed.json');
    const { reason: _r, ...payload } = body.payload;
    const [ev] = sut({ ...body, payload: { ...payload, error: 'Invalid number' } }, US) as Extract<NeutralEvent, { type: 'status' }>[];
    expect(ev.error).toMatchObject({ code: 'invalid_recipient', message: 'Invalid number' });
  });

  it('should ignore a status without messageId', () => {
    const body = json('sms_sent.json');
    expect(sut({ ...body, payload: { phoneNumber: '+16505551212' } }, US)).toEqual([{ type: 'ignored', reason: 'missing_message_id' }]);
  });

  it('should take system:ping as the phone being connected', () => {
    expect(sut(json('system_ping.json'), US)).toEqual([
      { type: 'connection', state: 'connected', ownAddress: null, needsReauth: false, qr: null },
    ]);
  });

  it('should ignore data SMS (out of scope) and events it does not know', () => {
    expect(sut(json('sms_data_received.json'), US)).toEqual([{ type: 'ignored', reason: 'unhandled_event:sms:data-received' }]);
    expect(sut({ deviceId: 'd', event: 'app:started', payload: { simCards: [] } }, US)).toEqual([
      { type: 'ignored', reason: 'unhandled_event:app:started' },
    ]);
  });
});

describe(smsIdentity.name, () => {
  it.each([
    ['+447700900123', null, 'BR', '+447700900123'],
    ['07700 900123', null, 'GB', '+447700900123'],
    ['07700900123', '+447700900999', 'BR', '+447700900123'],
    ['(11) 98765-0001', null, 'BR', '+5511987650001'],
    ['5511987650001', null, 'GB', '+5511987650001'],
  ])('should read %s (SIM %s, default %s) as %s', (rawSender, sim, country, e164) => {
    expect(smsIdentity(rawSender, sim, country)?.address).toBe(e164);
  });

  it.each(['AMAZON', 'VM-HDFCBK', '12345'])('should not take %s for a phone number', (rawSender) => {
    expect(smsIdentity(rawSender, null, 'GB')).toBeNull();
  });
});

describe(failureError.name, () => {
  it.each([
    ['Send result: RESULT_ERROR_LIMIT_EXCEEDED', 'rate_limited'],
    ['Send result: RESULT_ERROR_NO_SERVICE', 'unavailable'],
    ['TTL expired', 'unknown'],
  ])('should classify "%s" as %s, never retryable (the phone already gave up)', (reason, code) => {
    expect(failureError(reason)).toMatchObject({ code, message: reason, retryable: false });
  });

  it('should say something when the phone gives no reason', () => {
    expect(failureError(undefined).message).toBe('the phone reported the SMS as failed');
  });
});
