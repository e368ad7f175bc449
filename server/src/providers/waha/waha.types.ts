/**
 * WAHA wire shapes (devlikeapro/waha, see shared PROTOCOLS.md §2). Only the fields the inbox
 * reads are typed; everything is optional because payloads differ by engine (NOWEB, WEBJS, GOWS)
 * and by version (2024 envelopes have no `id`/`timestamp`).
 * Reference: https://waha.devlike.pro/docs/how-to/events/
 */
export interface WahaMe {
  id?: string;
  lid?: string | null;
  jid?: string | null;
  pushName?: string | null;
}

export interface WahaEnvelope {
  /** `evt_<ulid>` in current versions; absent in 2024 versions. */
  id?: string;
  /** Milliseconds. Not the message time: that is `payload.timestamp` (seconds). */
  timestamp?: number;
  event?: string;
  session?: string;
  me?: WahaMe | null;
  engine?: string;
  payload?: unknown;
}

export interface WahaMedia {
  /** WAHA's own `/api/files/...` URL (host from WAHA_BASE_URL), needs X-Api-Key. */
  url?: string | null;
  mimetype?: string | null;
  filename?: string | null;
  error?: unknown;
}

export interface WahaLocation {
  /** Strings on the wire (extractWALocation). */
  latitude?: string | number | null;
  longitude?: string | number | null;
  live?: boolean;
  name?: string | null;
  address?: string | null;
  description?: string | null;
}

export interface WahaMessageKey {
  remoteJid?: string;
  remoteJidAlt?: string;
  senderPn?: string;
  fromMe?: boolean;
  id?: string;
  participant?: string;
}

/** Engine-specific raw message: NOWEB puts the Baileys record here, WEBJS the whatsapp-web.js one. */
export interface WahaRawData {
  key?: WahaMessageKey;
  /** NOWEB sender name. */
  pushName?: string | null;
  /** WEBJS sender name. */
  notifyName?: string | null;
  /** WEBJS message type (`chat`, `image`, `ptt`, `audio`, `sticker`, `document`, `location`...). */
  type?: string;
  /** WEBJS media duration in seconds, as a string. */
  duration?: string | number;
  messageTimestamp?: number | string;
  message?: Record<string, { ptt?: boolean; seconds?: number; fileLength?: string | number } | undefined>;
}

export interface WahaMessage {
  /** Serialized `fromMe_chatId_messageId[_participant]`; sometimes a bare id (NOWEB). */
  id?: string;
  /** Seconds; WEBJS can send fractions. */
  timestamp?: number;
  from?: string;
  to?: string | null;
  participant?: string | null;
  fromMe?: boolean;
  source?: 'api' | 'app' | string;
  body?: string | null;
  hasMedia?: boolean;
  media?: WahaMedia | null;
  ack?: number | null;
  ackName?: string | null;
  location?: WahaLocation | null;
  vCards?: string[] | null;
  replyTo?: { id?: string | null; participant?: string | null; body?: string | null } | null;
  _data?: WahaRawData | null;
}

export interface WahaReaction {
  id?: string;
  timestamp?: number;
  from?: string;
  to?: string | null;
  fromMe?: boolean;
  source?: string;
  participant?: string | null;
  reaction?: { text?: string | null; messageId?: string | null } | null;
  _data?: WahaRawData | null;
}

export interface WahaAck {
  id?: string;
  from?: string;
  to?: string | null;
  participant?: string | null;
  fromMe?: boolean;
  ack?: number | null;
  ackName?: string | null;
  /** Newer versions, on ERROR: 463 = account restriction. */
  error?: { code?: number | string; blocked?: boolean; reason?: string | null } | null;
  _data?: WahaRawData | null;
}

export interface WahaRevoked {
  /** The revoke notice (its id is not the original message's id). */
  after?: WahaMessage | null;
  /** The original message, when WAHA still had it. */
  before?: WahaMessage | null;
  /** The original message's bare id. */
  revokedMessageId?: string | null;
}

export interface WahaSessionStatus {
  name?: string;
  status?: string;
  statuses?: { status?: string; timestamp?: number }[];
}

export interface WahaWebhookConfig {
  url?: string;
  events?: string[];
  hmac?: { key?: string } | null;
  retries?: { policy?: string; delaySeconds?: number; attempts?: number } | null;
  customHeaders?: { name: string; value: string }[] | null;
}

/** `GET /api/sessions/{session}` (SessionInfo). */
export interface WahaSessionInfo {
  name?: string;
  status?: string;
  config?: ({ webhooks?: WahaWebhookConfig[] | null } & Record<string, unknown>) | null;
  me?: WahaMe | null;
}

/** `POST /api/sendText` answer: the engine's own message object. */
export interface WahaSendResponse {
  /** WEBJS: `{fromMe, remote, id, _serialized}`; some engines: the serialized string. */
  id?: string | { _serialized?: string; fromMe?: boolean; remote?: string; id?: string };
  /** NOWEB: the raw Baileys key. */
  key?: WahaMessageKey;
}
