import { createHash } from 'node:crypto';
import type { MessageStatus } from '@switchboard/contracts';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizeTypedPhone } from '../../contacts/identity';
import { ProviderError } from '../provider-error';
import { WebhookRejection, type NeutralEvent, type PersonIdentity, type WebhookEnvelope, type WebhookRequest } from '../provider.types';
import type { AndroidSmsBatch, AndroidSmsEnvelope, AndroidSmsReceived, AndroidSmsStatus } from './android-sms.types';

/** What parsing needs besides the body: how to read numbers the phone reports in national format. */
export interface AndroidSmsParseOptions {
  /** ISO country used when neither the number nor the receiving SIM's number says otherwise. */
  defaultCountry: string;
}

const STATUS_EVENTS: Record<string, MessageStatus> = {
  'sms:sent': 'sent',
  'sms:delivered': 'delivered',
  'sms:failed': 'failed',
};

function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

/**
 * Routed by `deviceId` (the local server's device id, on every webhook). Deduplicated by the
 * envelope `id`, which the phone keeps across retries of one delivery but draws anew for every
 * emission: an inbox export re-sends old messages under new ids, so they reach ingest and are
 * recognised there by message id (and counted as skipped by a running history sync). Versions
 * without an envelope id are keyed by their bytes, which a retry repeats.
 */
export function describeAndroidSmsWebhook(req: WebhookRequest): WebhookEnvelope {
  const body = asObject(req.body) as AndroidSmsEnvelope | null;
  if (!body) throw new WebhookRejection(400, 'SMS Gateway webhook body must be a JSON object');
  const missing = (['event', 'deviceId'] as const).filter((f) => !nonEmpty(body[f]));
  if (missing.length > 0) {
    throw new WebhookRejection(400, `SMS Gateway webhook is missing the string field(s) ${missing.map((f) => `"${f}"`).join(', ')}`);
  }
  const deviceId = body.deviceId!.trim();
  const event = body.event!;
  const key = nonEmpty(body.id) ? body.id : `${event}:${createHash('sha256').update(req.rawBody).digest('hex')}`;
  return { routingKey: deviceId, dedupeKey: `android_sms:${deviceId}:${key}`, eventType: event };
}

export function parseAndroidSmsWebhook(raw: unknown, opts: AndroidSmsParseOptions): NeutralEvent[] {
  const body = raw as AndroidSmsEnvelope;
  const event = body.event ?? '';
  const payload = asObject(body.payload) ?? {};
  if (event === 'sms:received') return [parseReceived(payload as AndroidSmsReceived, opts)];
  if (event === 'sms:batch:received') {
    // Only sent when someone registered the batch event or asked for `webhookDelivery: Batch`.
    const items = (payload as AndroidSmsBatch).messages;
    if (!Array.isArray(items) || items.length === 0) return [{ type: 'ignored', reason: 'empty_batch' }];
    return items.map((item) => parseReceived((asObject(item) ?? {}) as AndroidSmsReceived, opts));
  }
  const status = STATUS_EVENTS[event];
  if (status) return [parseStatus(payload as AndroidSmsStatus, status)];
  if (event === 'system:ping') {
    // The phone only pings while its app runs and reaches us: that is what "connected" means here.
    return [{ type: 'connection', state: 'connected', ownAddress: null, needsReauth: false, qr: null }];
  }
  // sms:data-received, mms:*, sms:cancelled, app:started...: data SMS and MMS are out of scope.
  return [{ type: 'ignored', reason: `unhandled_event:${event}` }];
}

function parseReceived(p: AndroidSmsReceived, opts: AndroidSmsParseOptions): NeutralEvent {
  const from = nonEmpty(p.sender) ? p.sender : p.phoneNumber;
  if (!nonEmpty(from)) return { type: 'ignored', reason: 'missing_sender' };
  const identity = smsIdentity(from, p.recipient ?? null, opts.defaultCountry);
  // Alphanumeric sender ids (banks, carriers) and short codes cannot be answered: no thread.
  if (!identity) return { type: 'ignored', reason: 'not_a_phone_number' };
  const text = typeof p.message === 'string' ? p.message : '';
  const receivedAt = parseTime(p.receivedAt) ?? new Date();
  return {
    type: 'message',
    message: {
      providerMessageId: inboundMessageId(identity.address, p, text),
      fromMe: false,
      identity,
      profileName: null,
      kind: 'text',
      body: text,
      sentAt: receivedAt,
      media: null,
      location: null,
      replyToProviderId: null,
      inlineMedia: null,
      status: null,
    },
  };
}

function parseStatus(p: AndroidSmsStatus, status: MessageStatus): NeutralEvent {
  if (!nonEmpty(p.messageId)) return { type: 'ignored', reason: 'missing_message_id' };
  const error = status === 'failed' ? failureError(p.reason ?? p.error) : null;
  return { type: 'status', providerMessageId: p.messageId, status, error };
}

/**
 * The phone's `messageId` for an inbound SMS is a 32-bit hash (not unique across a large inbox,
 * as the docs warn), so it is scoped by the sender: `rx:<E.164>:<messageId>`. It is the same
 * when the phone exports the message again, which is what deduplicates history. Versions that
 * sent no messageId get a hash of what the phone hashes (time and text) instead.
 */
export function inboundMessageId(address: string, p: AndroidSmsReceived, text: string): string {
  const id = nonEmpty(p.messageId)
    ? p.messageId.trim()
    : `h${createHash('sha256')
        .update(`${p.receivedAt ?? ''}\u0000${text}`)
        .digest('hex')
        .slice(0, 16)}`;
  return `rx:${address}:${id}`;
}

/**
 * A sender as the phone reports it (`displayOriginatingAddress`: international, or national
 * such as `09876543210`) -> E.164. National numbers are read in the receiving SIM's country when
 * its number is known (`recipient`), else in the tenant's default country.
 */
export function smsIdentity(rawSender: string, deviceNumber: string | null, defaultCountry: string): PersonIdentity | null {
  const raw = rawSender.trim();
  if (/[a-z]/i.test(raw)) return null;
  const e164 = normalizeTypedPhone(raw, countryOf(deviceNumber) ?? defaultCountry);
  if (!e164) return null;
  return { kind: 'person', address: e164, phone: e164, raw: e164, aliases: [] };
}

/**
 * The country of the SIM's own number. Numbers in ranges shared by several countries (+44 with
 * GG/IM/JE, +1) or outside known ranges have no single country; any country of the calling
 * code reads national numbers into that calling code.
 */
function countryOf(number: string | null): string | null {
  if (!number || !number.trim().startsWith('+')) return null;
  const parsed = parsePhoneNumberFromString(number.trim());
  if (!parsed) return null;
  return parsed.country ?? getCountries().find((c) => getCountryCallingCode(c) === parsed.countryCallingCode) ?? null;
}

function parseTime(v: unknown): Date | null {
  if (!nonEmpty(v)) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * sms:failed reasons come from MessagesService.processStateIntent / sendMessage: `Send result:
 * RESULT_ERROR_*`, `Delivery result: <code>`, `TTL expired`, `Can't send message: ...`. The
 * message has already failed on the phone; the code only tells the agent why.
 */
export function failureError(reason: string | undefined): ProviderError {
  const text = nonEmpty(reason) ? reason.trim() : 'the phone reported the SMS as failed';
  const code = /RESULT_[A-Z_]+/.exec(text)?.[0] ?? null;
  if (code && /LIMIT_EXCEEDED|SHORT_CODE_NOT_ALLOWED/.test(code)) return new ProviderError('rate_limited', text, code, false);
  if (code && /NO_SERVICE|RADIO_OFF|NETWORK/.test(code)) return new ProviderError('unavailable', text, code, false);
  if (/invalid (phone )?number/i.test(text)) return new ProviderError('invalid_recipient', text, code, false);
  return new ProviderError('unknown', text, code, false);
}
