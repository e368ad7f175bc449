import { createHash } from 'node:crypto';
import type { ChannelState, MessageKind, MessageStatus } from '@switchboard/contracts';
import { identityFromJid } from '../../contacts/identity';
import type { StoredMedia } from '../../messages/message.entity';
import { ProviderError } from '../provider-error';
import { WebhookRejection, type InboundMessage, type NeutralEvent, type WebhookEnvelope, type WebhookRequest } from '../provider.types';
import { parseSerializedId, sameUser, serializedId, toCus } from './waha-ids';
import type { WahaAck, WahaEnvelope, WahaMe, WahaMessage, WahaReaction, WahaRevoked, WahaSessionStatus } from './waha.types';

/** WAMessageAck (src/structures/enums.dto.ts): -1 ERROR ... 4 PLAYED. */
const ACK: Record<string, MessageStatus> = {
  '-1': 'failed',
  '0': 'pending',
  '1': 'sent',
  '2': 'delivered',
  '3': 'read',
  '4': 'played',
};
const ACK_NAME: Record<string, MessageStatus> = {
  ERROR: 'failed',
  PENDING: 'pending',
  SERVER: 'sent',
  DEVICE: 'delivered',
  READ: 'read',
  PLAYED: 'played',
};

/** WAHASessionStatus. PASSKEY_* (GOWS) wait for a person on the phone, like a QR code. */
const SESSION_STATE: Record<string, { state: ChannelState; needsReauth: boolean }> = {
  WORKING: { state: 'connected', needsReauth: false },
  STARTING: { state: 'connecting', needsReauth: false },
  SCAN_QR_CODE: { state: 'qr_required', needsReauth: true },
  PASSKEY_REQUIRED: { state: 'connecting', needsReauth: true },
  PASSKEY_CONFIRMATION_REQUIRED: { state: 'connecting', needsReauth: true },
  STOPPED: { state: 'disconnected', needsReauth: false },
  FAILED: { state: 'disconnected', needsReauth: true },
};

/** What a WAHA session status means for the channel. */
export function sessionState(status: string | undefined): { state: ChannelState; needsReauth: boolean } {
  return SESSION_STATE[status ?? ''] ?? { state: 'unknown', needsReauth: false };
}

const MESSAGE_EVENTS = new Set(['message', 'message.any', 'message.ack', 'message.reaction']);

function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

/**
 * The chat a message belongs to: the serialized id's 2nd segment; for a bare id the Baileys key
 * (NOWEB), else `from` (NOWEB/GOWS: the chat) or, for our own WEBJS messages, `to`.
 */
function chatOf(msg: Pick<WahaMessage, 'id' | 'from' | 'to' | 'fromMe' | '_data'>, engine: string | undefined): string | null {
  const parsed = nonEmpty(msg.id) ? parseSerializedId(msg.id) : null;
  if (parsed) return parsed.chat;
  const chat = msg._data?.key?.remoteJid ?? (engine === 'WEBJS' && msg.fromMe ? msg.to : msg.from);
  return nonEmpty(chat) ? toCus(chat) : null;
}

/** The serialized id of a message, ack or reaction payload (bare NOWEB ids rebuilt). */
function messageIdOf(msg: Pick<WahaMessage, 'id' | 'from' | 'to' | 'fromMe' | '_data'>, engine: string | undefined): string | null {
  if (!nonEmpty(msg.id)) return null;
  return serializedId(msg.id, msg.fromMe === true, chatOf(msg, engine));
}

export function describeWahaWebhook(req: WebhookRequest): WebhookEnvelope {
  const body = asObject(req.body) as WahaEnvelope | null;
  if (!body) throw new WebhookRejection(400, 'WAHA webhook body must be a JSON object');
  const missing = (['event', 'session'] as const).filter((f) => !nonEmpty(body[f]));
  if (missing.length > 0) {
    throw new WebhookRejection(400, `WAHA webhook is missing the string field(s) ${missing.map((f) => `"${f}"`).join(', ')}`);
  }
  const event = body.event!;
  const session = body.session!;
  const prefix = `waha:${session}`;
  const payload = asObject(body.payload);
  const envelope = (dedupeKey: string): WebhookEnvelope => ({ routingKey: session, dedupeKey, eventType: event });

  if (MESSAGE_EVENTS.has(event) && !nonEmpty(payload?.id)) throw new WebhookRejection(400, `${event} is missing payload.id`);

  if (event === 'message' || event === 'message.any') {
    // Always by message: `message` and `message.any` deliver the same inbound message as two
    // events with two envelope ids, and must be recognised as one at the door.
    const id = messageIdOf(payload as WahaMessage, body.engine) ?? String(payload!.id);
    return envelope(`${prefix}:msg:${id}`);
  }
  if (nonEmpty(body.id)) return envelope(`${prefix}:${body.id}`);

  // 2024 versions have no envelope id: derive one from the event.
  switch (event) {
    case 'message.ack': {
      const ack = payload as WahaAck;
      const id = messageIdOf(ack, body.engine) ?? String(ack.id);
      return envelope(`${prefix}:ack:${id}:${String(ack.ack ?? ack.ackName)}`);
    }
    case 'message.reaction':
      return envelope(`${prefix}:react:${String(payload!.id)}`);
    case 'message.revoked': {
      const revoked = payload as WahaRevoked | null;
      const id = revoked?.revokedMessageId ?? revoked?.after?.id;
      if (!nonEmpty(id)) throw new WebhookRejection(400, 'message.revoked is missing payload.revokedMessageId and payload.after.id');
      return envelope(`${prefix}:revoked:${id}`);
    }
    default: {
      // No natural id: two deliveries of the same event have the same bytes.
      const digest = createHash('sha256').update(req.rawBody).digest('hex');
      return envelope(`${prefix}:${event}:${digest}`);
    }
  }
}

export function parseWahaWebhook(raw: unknown): NeutralEvent[] {
  const body = raw as WahaEnvelope;
  const event = body.event ?? '';
  switch (event) {
    case 'message':
    case 'message.any':
      return [parseMessage(body.payload as WahaMessage, body.engine, body.me ?? null)];
    case 'message.reaction':
      return [parseReaction(body.payload as WahaReaction, body.engine)];
    case 'message.ack':
      return [parseAck(body.payload as WahaAck, body.engine)];
    case 'message.ack.group':
      return [{ type: 'ignored', reason: 'group' }];
    case 'message.revoked':
      return [parseRevoked(body.payload as WahaRevoked, body.engine)];
    case 'session.status':
      return [parseSessionStatus(body.payload as WahaSessionStatus, body.me ?? null)];
    default:
      return [{ type: 'ignored', reason: `unhandled_event:${event}` }];
  }
}

export function ackStatus(ack: number | null | undefined, ackName: string | null | undefined): MessageStatus | null {
  if (typeof ack === 'number' && ACK[String(ack)]) return ACK[String(ack)];
  return ACK_NAME[String(ackName ?? '').toUpperCase()] ?? null;
}

function parseSessionStatus(payload: WahaSessionStatus, me: WahaMe | null): NeutralEvent {
  const mapped = sessionState(payload.status);
  const own = nonEmpty(me?.id) ? identityFromJid(me.id) : null;
  return {
    type: 'connection',
    state: mapped.state,
    ownAddress: own?.kind === 'person' ? own.address : null,
    needsReauth: mapped.needsReauth,
    qr: null,
  };
}

function parseAck(payload: WahaAck, engine: string | undefined): NeutralEvent {
  const id = messageIdOf(payload, engine);
  if (!id) return { type: 'ignored', reason: 'ack_without_chat' };
  const parsed = parseSerializedId(id);
  if (parsed && identityFromJid(parsed.chat).kind === 'ignore') return { type: 'ignored', reason: 'group' };
  // Receipts for inbound messages report our own reading them, not a delivery of ours.
  if (parsed?.fromMe === false || payload.fromMe === false) return { type: 'ignored', reason: 'receipt_for_inbound' };
  const status = ackStatus(payload.ack, payload.ackName);
  if (!status) return { type: 'ignored', reason: `ack_${String(payload.ack ?? payload.ackName)}` };
  return { type: 'status', providerMessageId: id, status, error: status === 'failed' ? ackError(payload) : null };
}

function ackError(payload: WahaAck): ProviderError {
  const e = payload.error;
  const code = e?.code !== undefined && e.code !== null ? String(e.code) : 'ERROR';
  const reason = e?.reason ? `: ${e.reason}` : e?.blocked ? ': blocked' : '';
  // 463 is WhatsApp's account restriction (PROTOCOLS.md §2.3): resending will not help either.
  return new ProviderError('unknown', `WhatsApp reported an error for this message${reason} (code ${code})`, code, false);
}

function parseReaction(payload: WahaReaction, engine: string | undefined): NeutralEvent {
  const chat = chatOf(payload, engine);
  if (!chat) return { type: 'ignored', reason: 'reaction_without_chat' };
  const identity = identityFromJid(chat, payload._data?.key?.remoteJidAlt ?? null);
  if (identity.kind === 'ignore') return { type: 'ignored', reason: identity.reason };
  const target = payload.reaction?.messageId;
  if (!nonEmpty(target)) return { type: 'ignored', reason: 'reaction_without_target' };
  // An empty text removes the reaction.
  return {
    type: 'reaction',
    targetProviderMessageId: target,
    emoji: payload.reaction?.text ?? '',
    fromMe: payload.fromMe === true,
    identity,
  };
}

function parseRevoked(payload: WahaRevoked, engine: string | undefined): NeutralEvent {
  const known = [payload.before, payload.after].find((m): m is WahaMessage => !!m && nonEmpty(m.id));
  const chat = known ? chatOf(known, engine) : null;
  const identity = chat ? identityFromJid(chat) : null;
  if (identity?.kind === 'ignore') return { type: 'ignored', reason: identity.reason };
  if (nonEmpty(payload.revokedMessageId)) {
    // Only the sender can revoke in a 1:1 chat, so the notice's fromMe is the original's.
    const fromMe = (payload.before?.fromMe ?? payload.after?.fromMe) === true;
    const id = serializedId(payload.revokedMessageId, fromMe, chat);
    return id ? { type: 'deleted', providerMessageId: id } : { type: 'ignored', reason: 'revoked_without_chat' };
  }
  // Older payloads: `before` is the original message (`after.id` is only the revoke notice).
  const original = payload.before && nonEmpty(payload.before.id) ? messageIdOf(payload.before, engine) : null;
  return original ? { type: 'deleted', providerMessageId: original } : { type: 'ignored', reason: 'revoked_without_original' };
}

function parseMessage(payload: WahaMessage, engine: string | undefined, me: WahaMe | null): NeutralEvent {
  const chat = chatOf(payload, engine);
  const id = messageIdOf(payload, engine);
  if (!chat || !id) return { type: 'ignored', reason: 'message_without_chat' };
  const key = payload._data?.key;
  const identity = identityFromJid(chat, key?.remoteJidAlt ?? key?.senderPn ?? null);
  if (identity.kind === 'ignore') return { type: 'ignored', reason: identity.reason };
  const fromMe = parseSerializedId(id)?.fromMe ?? payload.fromMe === true;
  const c = content(payload);
  const name = payload._data?.pushName ?? payload._data?.notifyName;
  const message: InboundMessage = {
    providerMessageId: id,
    fromMe,
    identity,
    // For our own messages the name is the business's.
    profileName: fromMe ? null : name?.trim() || null,
    kind: c.kind,
    body: c.body,
    sentAt: sentAt(payload),
    media: c.media,
    location: c.location,
    replyToProviderId: replyId(payload, chat, me),
    inlineMedia: null,
    status: fromMe ? (ackStatus(payload.ack, payload.ackName) ?? 'sent') : null,
  };
  return { type: 'message', message };
}

/** `payload.timestamp` is seconds (fractional on WEBJS); the envelope's ms timestamp is delivery time. */
function sentAt(payload: WahaMessage): Date {
  const ts = payload.timestamp ?? Number(payload._data?.messageTimestamp);
  return typeof ts === 'number' && Number.isFinite(ts) && ts > 0 ? new Date(Math.round(ts * 1000)) : new Date();
}

/**
 * WAHA's `replyTo.id` is the quoted message's bare id, with its author in `participant`. The
 * stored id is serialized, which needs the quoted message's direction: the author is us or the chat.
 */
function replyId(payload: WahaMessage, chat: string, me: WahaMe | null): string | null {
  const quoted = payload.replyTo?.id;
  if (!nonEmpty(quoted)) return null;
  if (parseSerializedId(quoted)) return quoted;
  const author = payload.replyTo?.participant;
  if (nonEmpty(author) && (sameUser(author, me?.id) || sameUser(author, me?.lid))) return serializedId(quoted, true, chat);
  if (nonEmpty(author) && sameUser(author, chat)) return serializedId(quoted, false, chat);
  return quoted;
}

interface Content {
  kind: MessageKind;
  body: string | null;
  media: StoredMedia | null;
  location: InboundMessage['location'];
}

function content(payload: WahaMessage): Content {
  const loc = payload.location;
  const lat = Number(loc?.latitude);
  const lng = Number(loc?.longitude);
  if (loc && loc.latitude !== null && loc.longitude !== null && Number.isFinite(lat) && Number.isFinite(lng)) {
    // WEBJS puts the map thumbnail in `body`: a location has no text of its own.
    return {
      kind: 'location',
      body: null,
      media: null,
      location: { latitude: lat, longitude: lng, name: loc.name ?? loc.description ?? null, address: loc.address ?? null },
    };
  }
  const body = typeof payload.body === 'string' && payload.body !== '' ? payload.body : null;
  if (payload.hasMedia || payload.media) {
    const media = payload.media ?? null;
    const mimeType = media?.mimetype ?? null;
    return {
      kind: mediaKind(mimeType, payload),
      body,
      media: {
        mimeType,
        fileName: media?.filename ?? null,
        size: null,
        durationSec: duration(payload),
        // WAHA serves the file itself (`/api/files/...`, X-Api-Key) and deletes it after
        // WHATSAPP_FILES_LIFETIME seconds (default 180): ingest must fetch it promptly.
        // Null when WAHA did not download it (WHATSAPP_DOWNLOAD_MEDIA off, or media.error).
        providerRef: media?.url ?? null,
      },
      location: null,
    };
  }
  if (payload.vCards && payload.vCards.length > 0) return { kind: 'contact', body, media: null, location: null };
  if (body === null) return { kind: 'unsupported', body: null, media: null, location: null };
  return { kind: 'text', body, media: null, location: null };
}

/** The raw message type: WEBJS `_data.type`, or the NOWEB `_data.message.<type>Message` key. */
function rawType(payload: WahaMessage): string {
  const data = payload._data;
  if (nonEmpty(data?.type)) return data.type.toLowerCase();
  const key = Object.keys(data?.message ?? {}).find((k) => k.endsWith('Message') && k !== 'messageContextInfo');
  return key ? key.replace(/Message$/, '').toLowerCase() : '';
}

function mediaKind(mimeType: string | null, payload: WahaMessage): MessageKind {
  const type = rawType(payload);
  const mime = (mimeType ?? '').toLowerCase();
  if (type === 'sticker') return 'sticker';
  if (type === 'ptt' || type === 'voice' || payload._data?.message?.audioMessage?.ptt === true) return 'voice';
  if (mime.startsWith('audio/') || type === 'audio') {
    // Voice notes are OGG/Opus; other audio files rarely are.
    return /^audio\/ogg/.test(mime) && mime.includes('opus') ? 'voice' : 'audio';
  }
  if (mime.startsWith('image/') || type === 'image') return 'image';
  if (mime.startsWith('video/') || type === 'video' || type === 'ptv') return 'video';
  return 'document';
}

function duration(payload: WahaMessage): number | null {
  const nested = Object.values(payload._data?.message ?? {}).find((m) => typeof m?.seconds === 'number');
  if (nested?.seconds !== undefined) return nested.seconds;
  const webjs = Number(payload._data?.duration);
  return payload._data?.duration !== undefined && Number.isFinite(webjs) ? webjs : null;
}
