import type { MessageKind, MessageStatus } from '@switchboard/contracts';
import { e164FromInternationalDigits } from '../../contacts/identity';
import type { StoredMedia } from '../../messages/message.entity';
import { ProviderError } from '../provider-error';
import {
  WebhookRejection,
  type InboundMessage,
  type NeutralEvent,
  type PersonIdentity,
  type WebhookEnvelope,
  type WebhookRequest,
} from '../provider.types';
import { callbackError } from './twilio-errors';
import type { TwilioParams } from './twilio.types';

/**
 * Status callback values -> the lattice (fixtures/README.md). `received`/`receiving` belong to
 * inbound messages. https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks
 */
export const TWILIO_STATUS: Readonly<Record<string, MessageStatus>> = {
  queued: 'pending',
  accepted: 'pending',
  scheduled: 'pending',
  sending: 'pending',
  sent: 'sent',
  delivered: 'delivered',
  // WhatsApp/RCS senders only; SMS never reports it.
  read: 'read',
  failed: 'failed',
  undelivered: 'failed',
  canceled: 'failed',
};

const INBOUND_STATUSES = new Set(['received', 'receiving']);

/**
 * Twilio's default opt-out and opt-in keywords: the whole body, any case
 * (https://www.twilio.com/docs/messaging/tutorials/advanced-opt-out,
 * help.twilio.com "Twilio support for opt-out keywords (SMS STOP filtering)").
 */
const OPT_OUT_KEYWORDS = new Set(['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const OPT_IN_KEYWORDS = new Set(['START', 'YES', 'UNSTOP', 'OPTIN']);

function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) ? (v as Record<string, unknown>) : null;
}

function fromSearchParams(text: string): TwilioParams {
  const out: TwilioParams = {};
  for (const [k, v] of new URLSearchParams(text)) (out[k] ??= []).push(v);
  return out;
}

/**
 * The form fields of a webhook. Fastify hands over an object (a repeated name becomes an array);
 * a stored event comes back as the raw form string; anything else is read from the raw bytes.
 */
export function twilioParams(body: unknown, rawBody?: Buffer): TwilioParams {
  if (typeof body === 'string') return fromSearchParams(body);
  const obj = asObject(body);
  if (obj) {
    const out: TwilioParams = {};
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined || v === null) continue;
      out[k] = (Array.isArray(v) ? v : [v]).map((x) => String(x));
    }
    return out;
  }
  return fromSearchParams(rawBody ? rawBody.toString('utf8') : '');
}

/** A field's value; Twilio never repeats the fields we read, so the first one is it. */
function field(params: TwilioParams, name: string): string | undefined {
  return params[name]?.[0];
}

function isStatusCallback(params: TwilioParams): boolean {
  const status = field(params, 'MessageStatus');
  return status !== undefined && status !== '' && !INBOUND_STATUSES.has(status);
}

/**
 * Inbound messages and status callbacks arrive at the same URL. Inbound carries `SmsStatus=received`
 * and (for newer payloads) `MessageStatus=received`; a callback carries any other MessageStatus.
 * Both are routed by the Messaging Service when the number is in one, else by our own number:
 * `To` of an inbound message, `From` of a status callback (DESIGN.md §5).
 */
export function describeTwilioWebhook(req: WebhookRequest): WebhookEnvelope {
  const params = twilioParams(req.body, req.rawBody);
  const missing = ['MessageSid', 'From', 'To'].filter((name) => !field(params, name));
  if (missing.length) throw new WebhookRejection(400, `Twilio webhook is missing ${missing.join(', ')}`);
  const sid = field(params, 'MessageSid')!;
  const status = isStatusCallback(params);
  const ownNumber = field(params, status ? 'From' : 'To')!;
  const service = field(params, 'MessagingServiceSid');
  // MessageSid is unique per message; a callback is one per (message, status). Twilio retries
  // (connection overrides, PROTOCOLS.md §4.4) repeat the same values, hence the same key.
  return {
    routingKey: service || ownNumber,
    fallbackRoutingKeys: service ? [ownNumber] : [],
    dedupeKey: status ? `twilio:${sid}:${field(params, 'MessageStatus')!}` : `twilio:${sid}`,
    eventType: status ? 'status' : 'message',
  };
}

export function parseTwilioWebhook(body: unknown): NeutralEvent[] {
  const params = twilioParams(body);
  const sid = field(params, 'MessageSid');
  if (!sid) return [{ type: 'ignored', reason: 'no_message_sid' }];
  return isStatusCallback(params) ? [parseStatus(params, sid)] : parseInbound(params, sid);
}

function parseStatus(params: TwilioParams, sid: string): NeutralEvent {
  const raw = field(params, 'MessageStatus')!;
  const status = TWILIO_STATUS[raw];
  // partially_delivered and whatever Twilio adds next: stored, not guessed at.
  if (!status) return { type: 'ignored', reason: `status_${raw}` };
  const error = status === 'failed' ? callbackError(field(params, 'ErrorCode'), raw) : null;
  return { type: 'status', providerMessageId: sid, status, error };
}

/**
 * `From` is E.164 for phone senders. Short codes and alphanumeric senders are not people we can
 * thread, and `whatsapp:+…` / `rcs:…` senders belong to other channels of a Messaging Service.
 */
function senderIdentity(from: string): PersonIdentity | null {
  const raw = from.trim();
  const m = /^\+(\d{7,15})$/.exec(raw);
  const phone = m ? e164FromInternationalDigits(m[1]) : null;
  // Replies go to the number exactly as Twilio reported it.
  return phone ? { kind: 'person', address: phone, phone, raw, aliases: [] } : null;
}

function mediaKind(contentType: string | undefined): MessageKind {
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  if (type.startsWith('audio/')) return 'audio';
  return 'document';
}

interface TwilioMedia {
  url: string;
  contentType: string | null;
}

/** `MediaUrl{N}` / `MediaContentType{N}` for N < NumMedia (https://www.twilio.com/docs/messaging/guides/webhook-request). */
function mediaOf(params: TwilioParams): TwilioMedia[] {
  const count = Number.parseInt(field(params, 'NumMedia') ?? '0', 10);
  const media: TwilioMedia[] = [];
  for (let n = 0; n < (Number.isFinite(count) ? count : 0); n++) {
    const url = field(params, `MediaUrl${n}`);
    if (url) media.push({ url, contentType: field(params, `MediaContentType${n}`) || null });
  }
  return media;
}

function storedMedia(m: TwilioMedia): StoredMedia {
  // The MediaUrl is the Media resource on api.twilio.com, fetched with Basic auth (twilio.provider.ts).
  return { mimeType: m.contentType, fileName: null, size: null, durationSec: null, providerRef: m.url };
}

/**
 * Advanced Opt-Out adds `OptOutType` (STOP/START/HELP) and knows the service's own keywords, so it
 * wins; without it the default keywords are matched on the whole trimmed body, as Twilio does
 * (help.twilio.com "How to Track Opt-Out, Opt-In and Help Messages Using the OptOutType Parameter").
 */
export function optOutOf(params: TwilioParams): boolean | null {
  const type = field(params, 'OptOutType')?.trim().toUpperCase();
  if (type) return type === 'STOP' ? true : type === 'START' ? false : null;
  const body = (field(params, 'Body') ?? '').trim().replace(/\s+/g, ' ').toUpperCase();
  if (OPT_OUT_KEYWORDS.has(body)) return true;
  if (OPT_IN_KEYWORDS.has(body)) return false;
  return null;
}

function parseInbound(params: TwilioParams, sid: string): NeutralEvent[] {
  const identity = senderIdentity(field(params, 'From') ?? '');
  if (!identity) return [{ type: 'ignored', reason: 'sender_not_e164' }];
  const body = field(params, 'Body') ?? '';
  // Twilio's inbound webhook carries no timestamp at all (the Message resource's date_sent needs
  // a REST call per message). The ingest time stands in: seconds after Twilio posted it.
  const sentAt = new Date();
  const base = {
    fromMe: false,
    identity,
    profileName: null,
    sentAt,
    location: null,
    replyToProviderId: null,
    inlineMedia: null,
    status: null,
  };
  const media = mediaOf(params);
  const messages: InboundMessage[] = media.length
    ? // One MMS, several files: the first carries the text as its caption, the others follow.
      media.map((m, n) => ({
        ...base,
        providerMessageId: n === 0 ? sid : `${sid}/${n}`,
        kind: mediaKind(m.contentType ?? undefined),
        body: n === 0 && body !== '' ? body : null,
        media: storedMedia(m),
      }))
    : [{ ...base, providerMessageId: sid, kind: 'text', body, media: null }];
  const events: NeutralEvent[] = messages.map((message) => ({ type: 'message', message }));
  // The STOP itself stays in the conversation: agents see why the contact went quiet.
  const optedOut = optOutOf(params);
  if (optedOut !== null) events.push({ type: 'opt_out', identity, optedOut });
  return events;
}

/** The neutral status of a polled Message resource; null for statuses that say nothing about delivery. */
export function polledStatus(
  status: string | undefined,
  errorCode: number | null | undefined,
): { status: MessageStatus; error: ProviderError | null } | null {
  const mapped = status ? TWILIO_STATUS[status] : undefined;
  if (!mapped) return null;
  return { status: mapped, error: mapped === 'failed' ? callbackError(errorCode ?? null, status!) : null };
}
