import { createHash } from 'node:crypto';
import type { MessageKind, MessageStatus } from '@switchboard/contracts';
import { e164FromInternationalDigits } from '../../contacts/identity';
import type { StoredMedia } from '../../messages/message.entity';
import {
  WebhookRejection,
  type ChannelContext,
  type InboundMessage,
  type NeutralEvent,
  type PersonIdentity,
  type WebhookEnvelope,
  type WebhookRequest,
} from '../provider.types';
import { statusError } from './meta-errors';
import type {
  MetaChange,
  MetaChangeValue,
  MetaContact,
  MetaEcho,
  MetaMedia,
  MetaMessage,
  MetaMessageContent,
  MetaNotification,
  MetaStatus,
} from './meta.types';

const STATUS: Record<string, MessageStatus> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'played',
  failed: 'failed',
};

function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function changesOf(body: MetaNotification): MetaChange[] {
  return (body.entry ?? []).flatMap((e) => (Array.isArray(e?.changes) ? e.changes : [])).filter((c) => asObject(c) !== null);
}

function eventTypeOf(change: MetaChange): string {
  const value = change.value ?? {};
  if (change.field === 'messages') {
    const kinds = [value.messages?.length ? 'messages' : null, value.statuses?.length ? 'statuses' : null].filter(Boolean);
    if (kinds.length === 1) return kinds[0]!;
    if (kinds.length > 1) return 'mixed';
  }
  return change.field ?? 'unknown';
}

/**
 * Meta has no delivery id, batches many messages and statuses into one POST, and redelivers
 * whole POSTs (PROTOCOLS.md §3.2), so the stored event is keyed by the bytes: an identical
 * redelivery is one event. Items are idempotent downstream (messages by wamid, statuses by the
 * lattice), which also covers an item arriving again inside a differently batched POST.
 */
export function describeMetaWebhook(req: WebhookRequest): WebhookEnvelope {
  const body = asObject(req.body) as MetaNotification | null;
  if (!body) throw new WebhookRejection(400, 'Meta webhook body must be a JSON object');
  if (body.object !== 'whatsapp_business_account') {
    throw new WebhookRejection(400, 'Meta webhook "object" must be "whatsapp_business_account"');
  }
  if (!Array.isArray(body.entry) || body.entry.length === 0) {
    throw new WebhookRejection(400, 'Meta webhook is missing a non-empty "entry" array');
  }
  const changes = changesOf(body);
  // Meta may batch changes for several numbers of one WABA into a POST. The event is routed by
  // the first change's number and stored again for every other number we have a channel for;
  // each channel's parseMetaWebhook skips the other numbers' changes (other_phone_number).
  const routingKey = changes[0]?.value?.metadata?.phone_number_id;
  if (typeof routingKey !== 'string' || routingKey === '') {
    throw new WebhookRejection(400, 'Meta webhook is missing entry[0].changes[0].value.metadata.phone_number_id');
  }
  const numbers = new Set(
    changes.map((c) => c.value?.metadata?.phone_number_id).filter((n): n is string => typeof n === 'string' && n !== ''),
  );
  numbers.delete(routingKey);
  const types = [...new Set(changes.map(eventTypeOf))];
  return {
    routingKey,
    ...(numbers.size ? { alsoRoutedTo: [...numbers] } : {}),
    dedupeKey: `meta:${createHash('sha256').update(req.rawBody).digest('hex')}`,
    eventType: types.length === 1 ? types[0] : 'mixed',
  };
}

/** Every entry, change, message and status of one POST, in order. */
export function parseMetaWebhook(raw: unknown, channel: ChannelContext): NeutralEvent[] {
  const body = (asObject(raw) ?? {}) as MetaNotification;
  const own = channel.config.phoneNumberId;
  const events: NeutralEvent[] = [];
  for (const change of changesOf(body)) {
    const value = change.value ?? {};
    if (own && value.metadata?.phone_number_id !== own) {
      events.push({ type: 'ignored', reason: 'other_phone_number' });
      continue;
    }
    const before = events.length;
    if (change.field === 'messages') {
      for (const msg of value.messages ?? []) events.push(parseMessage(msg, value));
      for (const st of value.statuses ?? []) events.push(parseStatus(st));
    } else if (change.field === 'smb_message_echoes') {
      for (const echo of value.message_echoes ?? []) events.push(parseEcho(echo));
    } else {
      events.push({ type: 'ignored', reason: `unhandled_field:${change.field ?? 'none'}` });
    }
    // A `messages` change with only `value.errors` (or nothing) still says something was received.
    if (events.length === before) events.push({ type: 'ignored', reason: 'no_content' });
  }
  return events;
}

function sentAt(timestamp: string | undefined): Date {
  return typeof timestamp === 'string' && /^\d+$/.test(timestamp) ? new Date(Number(timestamp) * 1000) : new Date();
}

/** A username user's business-scoped id: not a phone, so it keys the contact as `bsuid:<id>`. */
function bsuidIdentity(userId: string): PersonIdentity {
  const address = `bsuid:${userId}`;
  return { kind: 'person', address, phone: null, raw: address, aliases: [] };
}

/**
 * wa_id digits -> E.164 (a 12-digit Brazilian id gets its 9th digit back); the raw address
 * stays the wa_id, the number WhatsApp knows the person by. A BSUID known next to the phone is
 * an alias, so a later message without `from` (the user adopted a username) finds the contact.
 */
function phoneIdentity(digits: string, userId: string | undefined): PersonIdentity | null {
  const clean = digits.replace(/^\+/, '');
  const phone = e164FromInternationalDigits(clean);
  if (!phone) return null;
  return { kind: 'person', address: phone, phone, raw: clean, aliases: userId ? [`bsuid:${userId}`] : [] };
}

function identityOf(phoneDigits: string | undefined, userId: string | undefined): PersonIdentity | null {
  if (phoneDigits) return phoneIdentity(phoneDigits, userId);
  if (userId) return bsuidIdentity(userId);
  return null;
}

function parseMessage(msg: MetaMessage, value: MetaChangeValue): NeutralEvent {
  if (msg.group_id) return { type: 'ignored', reason: 'group' };
  if (msg.type === 'system') return { type: 'ignored', reason: 'system' };
  if (!msg.id) return { type: 'ignored', reason: 'no_message_id' };
  const contact: MetaContact | undefined = (value.contacts ?? []).find(
    (c) => (msg.from !== undefined && c.wa_id === msg.from) || (msg.from_user_id !== undefined && c.user_id === msg.from_user_id),
  );
  // With usernames enabled `from` and `wa_id` are omitted; the BSUID is all there is (PROTOCOLS.md §3.3).
  const identity = identityOf(msg.from ?? contact?.wa_id, msg.from_user_id ?? contact?.user_id);
  if (!identity) return { type: 'ignored', reason: msg.from || msg.from_user_id ? 'invalid' : 'no_sender' };
  if (msg.type === 'reaction') return reaction(msg, identity, false);
  const profileName = contact?.profile?.name?.trim() || contact?.profile?.username?.trim() || null;
  return { type: 'message', message: build(msg, identity, false, profileName) };
}

/** Messages the business typed in the WhatsApp Business app of a coexistence number (PROTOCOLS.md §3.5). */
function parseEcho(echo: MetaEcho): NeutralEvent {
  if (echo.group_id) return { type: 'ignored', reason: 'group' };
  if (echo.type === 'revoke') {
    const target = echo.revoke?.original_message_id;
    return target ? { type: 'deleted', providerMessageId: target } : { type: 'ignored', reason: 'revoke_without_target' };
  }
  // No neutral event for edits yet; the original stays as first sent.
  if (echo.type === 'edit') return { type: 'ignored', reason: 'edit' };
  if (!echo.id) return { type: 'ignored', reason: 'no_message_id' };
  const identity = identityOf(echo.to, echo.to_user_id);
  if (!identity) return { type: 'ignored', reason: echo.to || echo.to_user_id ? 'invalid' : 'no_recipient' };
  if (echo.type === 'reaction') return reaction(echo, identity, true);
  return { type: 'message', message: { ...build(echo, identity, true, null), status: 'sent' } };
}

function reaction(msg: MetaMessageContent, identity: PersonIdentity, fromMe: boolean): NeutralEvent {
  const target = msg.reaction?.message_id;
  if (!target) return { type: 'ignored', reason: 'reaction_without_target' };
  // No emoji means the reaction was removed.
  return { type: 'reaction', targetProviderMessageId: target, emoji: msg.reaction?.emoji ?? '', fromMe, identity };
}

function parseStatus(st: MetaStatus): NeutralEvent {
  // Groups API messages never belong to a 1:1 thread.
  if (st.recipient_type === 'group') return { type: 'ignored', reason: 'group' };
  const status = STATUS[st.status ?? ''];
  if (!st.id || !status) return { type: 'ignored', reason: `status_${st.status ?? 'none'}` };
  // `read` may arrive without a prior `delivered` (Meta coalesces them); the lattice handles it.
  return { type: 'status', providerMessageId: st.id, status, error: status === 'failed' ? statusError(st.errors?.[0]) : null };
}

interface Content {
  kind: MessageKind;
  body: string | null;
  media: StoredMedia | null;
  location: InboundMessage['location'];
}

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;

function mediaOf(m: MetaMedia): StoredMedia {
  return {
    mimeType: m.mime_type ?? null,
    fileName: m.filename ?? null,
    size: null,
    durationSec: null,
    // The media id (valid 7 days) is fetched through GET /<media-id>; the webhook `url` expires in minutes.
    providerRef: m.id ?? null,
  };
}

function content(msg: MetaMessageContent): Content {
  const none = { media: null, location: null };
  const type = msg.type ?? '';
  if (type === 'text') return { ...none, kind: 'text', body: msg.text?.body ?? '' };
  const mediaType = MEDIA_TYPES.find((t) => t === type);
  if (mediaType) {
    const m = msg[mediaType] ?? {};
    const kind: MessageKind = mediaType === 'audio' && m.voice === true ? 'voice' : mediaType;
    return { kind, body: m.caption ?? null, media: mediaOf(m), location: null };
  }
  if (type === 'location' && typeof msg.location?.latitude === 'number' && typeof msg.location.longitude === 'number') {
    const l = msg.location;
    return {
      kind: 'location',
      body: null,
      media: null,
      location: { latitude: l.latitude!, longitude: l.longitude!, name: l.name ?? null, address: l.address ?? null },
    };
  }
  if (type === 'contacts') {
    const names = (msg.contacts ?? []).map((c) => c.name?.formatted_name ?? c.name?.first_name).filter(Boolean);
    return { ...none, kind: 'contact', body: names.length ? names.join(', ') : null };
  }
  if (type === 'interactive') {
    const i = msg.interactive ?? {};
    const choice = i.button_reply?.title ?? i.list_reply?.title ?? i.nfm_reply?.body;
    if (choice !== undefined) return { ...none, kind: 'text', body: choice };
  }
  if (type === 'button' && msg.button?.text !== undefined) return { ...none, kind: 'text', body: msg.button.text };
  // `unsupported`, `order`, polls and whatever Meta adds next: shown as unsupported, not lost.
  return { ...none, kind: 'unsupported', body: null };
}

function build(msg: MetaMessage | MetaEcho, identity: PersonIdentity, fromMe: boolean, profileName: string | null): InboundMessage {
  const c = content(msg);
  return {
    providerMessageId: msg.id!,
    fromMe,
    identity,
    profileName,
    kind: c.kind,
    body: c.body,
    sentAt: sentAt(msg.timestamp),
    media: c.media,
    location: c.location,
    replyToProviderId: msg.context?.id ?? null,
    inlineMedia: null,
    status: null,
  };
}
