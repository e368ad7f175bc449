import { createHash } from 'node:crypto';
import type { ChannelState, MessageKind, MessageStatus } from '@switchboard/contracts';
import { identityFromJid } from '../../contacts/identity';
import type { StoredMedia } from '../../messages/message.entity';
import { ProviderError } from '../provider-error';
import { WebhookRejection, type InboundMessage, type NeutralEvent, type WebhookEnvelope, type WebhookRequest } from '../provider.types';
import type {
  EvolutionConnectionData,
  EvolutionContextInfo,
  EvolutionEnvelope,
  EvolutionKey,
  EvolutionMediaMessage,
  EvolutionMessageContent,
  EvolutionUpdateData,
  EvolutionUpsertData,
} from './evolution.types';

/**
 * Evolution's receipt names (src/utils/renderStatus.ts). `DELETED` is what Evolution labels an
 * update without a known status (it shows up on edits, issue #2010): not a deletion, a no-op.
 */
const STATUS: Record<string, MessageStatus> = {
  ERROR: 'failed',
  PENDING: 'pending',
  SERVER_ACK: 'sent',
  DELIVERY_ACK: 'delivered',
  READ: 'read',
  PLAYED: 'played',
};
const STATUS_BY_NUMBER: MessageStatus[] = ['failed', 'pending', 'sent', 'delivered', 'read', 'played'];

/** A status as Evolution stores and posts it: a name (DELIVERY_ACK) or Baileys' number. */
export function evolutionStatus(raw: unknown): MessageStatus | null {
  return (typeof raw === 'number' ? STATUS_BY_NUMBER[raw] : STATUS[String(raw)]) ?? null;
}

const CONNECTION_STATE: Record<string, ChannelState> = {
  open: 'connected',
  connecting: 'connecting',
  close: 'disconnected',
  refused: 'refused',
};

/** Baileys disconnect codes after which Evolution does not reconnect: a person must re-pair. */
const REAUTH_REASONS = new Set([401, 402, 403, 406]);

/** `messages.upsert` / `MESSAGES_UPSERT` / `messages-upsert` (byEvents path) -> `messages.upsert`. */
export function normalizeEventName(name: string): string {
  return name.trim().toLowerCase().replace(/[_-]/g, '.');
}

function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function describeEvolutionWebhook(req: WebhookRequest): WebhookEnvelope {
  const body = asObject(req.body) as EvolutionEnvelope | null;
  if (!body) throw new WebhookRejection(400, 'Evolution webhook body must be a JSON object');
  if (typeof body.event !== 'string' || body.event.trim() === '') {
    throw new WebhookRejection(400, 'Evolution webhook is missing the string field "event"');
  }
  if (typeof body.instance !== 'string' || body.instance === '') {
    throw new WebhookRejection(400, 'Evolution webhook is missing the string field "instance"');
  }
  const event = normalizeEventName(body.event);
  const prefix = `evolution:${body.instance}`;
  const data = asObject(body.data);
  switch (event) {
    case 'messages.upsert':
    case 'send.message': {
      const id = (asObject(data?.key) as EvolutionKey | null)?.id;
      if (typeof id !== 'string' || id === '') throw new WebhookRejection(400, `${event} is missing data.key.id`);
      // The API send is echoed as send.message and sometimes also as messages.upsert (issue #1340):
      // one key, so the second delivery is recognised as a duplicate at the door.
      return { routingKey: body.instance, dedupeKey: `${prefix}:msg:${id}`, eventType: event };
    }
    case 'messages.update': {
      const upd = data as EvolutionUpdateData | null;
      const id = upd?.keyId ?? (asObject((data as { key?: unknown } | null)?.key) as EvolutionKey | null)?.id;
      if (typeof id !== 'string' || id === '') throw new WebhookRejection(400, 'messages.update is missing data.keyId');
      return { routingKey: body.instance, dedupeKey: `${prefix}:upd:${id}:${String(upd?.status)}`, eventType: event };
    }
    case 'messages.delete': {
      // Deletes seen on the phone carry the bare key; API deletes carry the stored record, whose
      // top-level `id` is Evolution's database id and whose `key.id` is the WhatsApp id.
      const id = (asObject(data?.key) as EvolutionKey | null)?.id ?? (data as EvolutionKey | null)?.id;
      if (typeof id !== 'string' || id === '') throw new WebhookRejection(400, 'messages.delete is missing data.id');
      return { routingKey: body.instance, dedupeKey: `${prefix}:del:${id}`, eventType: event };
    }
    default: {
      // No natural id: two deliveries of the same event have the same bytes.
      const digest = createHash('sha256').update(req.rawBody).digest('hex');
      return { routingKey: body.instance, dedupeKey: `${prefix}:${event}:${digest}`, eventType: event };
    }
  }
}

export function parseEvolutionWebhook(raw: unknown): NeutralEvent[] {
  const body = raw as EvolutionEnvelope;
  const event = normalizeEventName(body.event ?? '');
  switch (event) {
    case 'messages.upsert':
    case 'send.message':
      return [parseUpsert(body.data as EvolutionUpsertData)];
    case 'messages.update':
      return [parseUpdate(body.data as EvolutionUpdateData & { key?: EvolutionKey })];
    case 'messages.delete': {
      const data = body.data as EvolutionKey & { key?: EvolutionKey };
      return [{ type: 'deleted', providerMessageId: (data.key?.id ?? data.id)! }];
    }
    case 'connection.update':
      return [parseConnection(body.data as EvolutionConnectionData)];
    case 'qrcode.updated': {
      const qr = (body.data as { qrcode?: { base64?: string } } | undefined)?.qrcode?.base64 ?? null;
      return [{ type: 'connection', state: 'connecting', ownAddress: null, needsReauth: true, qr }];
    }
    default:
      return [{ type: 'ignored', reason: `unhandled_event:${event}` }];
  }
}

function parseConnection(data: EvolutionConnectionData): NeutralEvent {
  const state = CONNECTION_STATE[data.state ?? ''] ?? 'unknown';
  const own = data.wuid ? identityFromJid(data.wuid) : null;
  return {
    type: 'connection',
    state,
    ownAddress: own?.kind === 'person' ? own.address : null,
    needsReauth: state !== 'connected' && REAUTH_REASONS.has(Number(data.statusReason)),
    qr: null,
  };
}

function parseUpdate(data: EvolutionUpdateData & { key?: EvolutionKey }): NeutralEvent {
  const id = (data.keyId ?? data.key?.id)!;
  const fromMe = data.fromMe ?? data.key?.fromMe;
  // Updates for inbound messages report *our* reading them; they are not delivery receipts.
  if (fromMe === false) return { type: 'ignored', reason: 'receipt_for_inbound' };
  const chat = data.remoteJid ?? data.key?.remoteJid ?? '';
  if (chat.endsWith('@g.us')) return { type: 'ignored', reason: 'group' };
  const raw = data.status;
  const status = evolutionStatus(raw);
  if (!status) return { type: 'ignored', reason: `status_${String(raw).toLowerCase()}` };
  const error = status === 'failed' ? new ProviderError('unknown', 'WhatsApp reported an error for this message', 'ERROR') : null;
  return { type: 'status', providerMessageId: id, status, error };
}

function epochSeconds(v: EvolutionUpsertData['messageTimestamp']): Date {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v * 1000);
  if (typeof v === 'string' && /^\d+$/.test(v)) return new Date(Number(v) * 1000);
  // 2.3.6 serialises protobuf Longs as {low, high, unsigned}.
  if (v && typeof v === 'object' && typeof v.low === 'number') return new Date((v.high * 2 ** 32 + (v.low >>> 0)) * 1000);
  return new Date();
}

function fileLength(v: EvolutionMediaMessage['fileLength']): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (v && typeof v === 'object' && typeof v.low === 'number') return v.high * 2 ** 32 + (v.low >>> 0);
  return null;
}

interface Content {
  kind: MessageKind;
  body: string | null;
  media: EvolutionMediaMessage | null;
  location: InboundMessage['location'];
  context: EvolutionContextInfo | undefined;
}

function content(msg: EvolutionMessageContent): Content | null {
  const none = { media: null, location: null, context: undefined };
  if (typeof msg.conversation === 'string') return { ...none, kind: 'text', body: msg.conversation };
  // Evolution < 2.2 did not flatten extended text into `conversation` (PROTOCOLS.md §1.3).
  if (msg.extendedTextMessage) {
    return { ...none, kind: 'text', body: msg.extendedTextMessage.text ?? '', context: msg.extendedTextMessage.contextInfo };
  }
  const mediaKinds: [keyof EvolutionMessageContent, MessageKind][] = [
    ['imageMessage', 'image'],
    ['videoMessage', 'video'],
    ['ptvMessage', 'video'],
    ['stickerMessage', 'sticker'],
    ['documentMessage', 'document'],
  ];
  for (const [key, kind] of mediaKinds) {
    const m = msg[key] as EvolutionMediaMessage | undefined;
    if (m) return { kind, body: m.caption ?? null, media: m, location: null, context: m.contextInfo };
  }
  const docWithCaption = msg.documentWithCaptionMessage?.message?.documentMessage;
  if (docWithCaption) {
    return {
      kind: 'document',
      body: docWithCaption.caption ?? null,
      media: docWithCaption,
      location: null,
      context: docWithCaption.contextInfo,
    };
  }
  if (msg.audioMessage) {
    return {
      kind: msg.audioMessage.ptt ? 'voice' : 'audio',
      body: null,
      media: msg.audioMessage,
      location: null,
      context: msg.audioMessage.contextInfo,
    };
  }
  const loc = msg.locationMessage ?? msg.liveLocationMessage;
  if (loc && typeof loc.degreesLatitude === 'number' && typeof loc.degreesLongitude === 'number') {
    const named = msg.locationMessage;
    return {
      ...none,
      kind: 'location',
      // The place's name and address live in `location`; a location has no text of its own.
      body: null,
      location: {
        latitude: loc.degreesLatitude,
        longitude: loc.degreesLongitude,
        name: named?.name ?? null,
        address: named?.address ?? null,
      },
    };
  }
  if (msg.contactMessage) return { ...none, kind: 'contact', body: msg.contactMessage.displayName ?? null };
  if (msg.contactsArrayMessage) return { ...none, kind: 'contact', body: msg.contactsArrayMessage.displayName ?? null };
  const choice =
    msg.buttonsResponseMessage?.selectedDisplayText ??
    msg.templateButtonReplyMessage?.selectedDisplayText ??
    msg.listResponseMessage?.title;
  if (choice !== undefined) return { ...none, kind: 'text', body: choice };
  if (msg.pollCreationMessage) return { ...none, kind: 'unsupported', body: `Poll: ${msg.pollCreationMessage.name ?? ''}`.trim() };
  return null;
}

/**
 * Disappearing-mode and view-once messages carry their content one level down
 * (`ephemeralMessage.message`, `viewOnceMessage[V2[Extension]].message`), as Baileys stores them;
 * Baileys' own normalizeMessageContent unwraps the same containers.
 */
const WRAPPERS = ['ephemeralMessage', 'viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension'] as const;

function unwrap(msg: EvolutionMessageContent): EvolutionMessageContent {
  let current = msg;
  for (let depth = 0; depth < 4; depth++) {
    const inner = WRAPPERS.map((w) => current[w]?.message).find((m) => m !== undefined);
    if (!inner) break;
    current = inner;
  }
  return current;
}

function parseUpsert(data: EvolutionUpsertData): NeutralEvent {
  const key = data.key ?? {};
  const identity = identityFromJid(key.remoteJid ?? '', key.remoteJidAlt ?? key.senderPn ?? null);
  if (identity.kind === 'ignore') return { type: 'ignored', reason: identity.reason };
  const fromMe = key.fromMe === true;
  const msg = unwrap(data.message ?? {});

  if (msg.reactionMessage) {
    const target = msg.reactionMessage.key?.id;
    if (!target) return { type: 'ignored', reason: 'reaction_without_target' };
    return { type: 'reaction', targetProviderMessageId: target, emoji: msg.reactionMessage.text ?? '', fromMe, identity };
  }

  const c = content(msg);
  // Protocol messages (edits, revokes), poll votes and empty messages carry nothing to show.
  if (!c) {
    if (data.messageType === 'protocolMessage' || Object.keys(msg).length === 0) return { type: 'ignored', reason: 'no_content' };
    return {
      type: 'message',
      message: build(data, identity, fromMe, { kind: 'unsupported', body: null, media: null, location: null, context: undefined }),
    };
  }
  return { type: 'message', message: build(data, identity, fromMe, c) };
}

function build(data: EvolutionUpsertData, identity: InboundMessage['identity'], fromMe: boolean, c: Content): InboundMessage {
  const media: StoredMedia | null = c.media
    ? {
        mimeType: c.media.mimetype ?? null,
        fileName: c.media.fileName ?? c.media.title ?? null,
        size: fileLength(c.media.fileLength),
        durationSec: typeof c.media.seconds === 'number' ? c.media.seconds : null,
        // The mmg.whatsapp.net URL is encrypted; bytes come from getBase64FromMediaMessage by key id.
        providerRef: data.key?.id ?? null,
      }
    : null;
  const context = data.contextInfo ?? c.context;
  return {
    providerMessageId: data.key!.id!,
    fromMe,
    identity,
    // For fromMe messages pushName is the business's own name (or Evolution's "Você").
    profileName: fromMe ? null : data.pushName?.trim() || null,
    kind: c.kind,
    body: c.body,
    sentAt: epochSeconds(data.messageTimestamp),
    media,
    location: c.location,
    replyToProviderId: context?.stanzaId ?? null,
    inlineMedia:
      c.media && typeof data.message?.base64 === 'string' && data.message.base64 !== '' ? Buffer.from(data.message.base64, 'base64') : null,
    status: fromMe ? (STATUS[String(data.status)] ?? null) : null,
  };
}
