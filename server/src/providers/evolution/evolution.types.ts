/**
 * Evolution API v2 wire shapes (EvolutionAPI/evolution-api v2.3.6, see shared PROTOCOLS.md §1).
 * Only the fields the inbox reads are typed; everything is optional because real payloads vary
 * across 2.0-2.3 and Baileys versions.
 */
export interface EvolutionEnvelope {
  event?: string;
  instance?: string;
  data?: unknown;
  date_time?: string;
  sender?: string;
}

export interface EvolutionKey {
  remoteJid?: string;
  /** Baileys 7 / Evolution 2.3.6: the phone JID next to a @lid remoteJid. */
  remoteJidAlt?: string;
  /** Evolution 2.3.0 exposed the same as senderPn. */
  senderPn?: string;
  fromMe?: boolean;
  id?: string;
  participant?: string;
}

export interface EvolutionMediaMessage {
  mimetype?: string;
  caption?: string;
  fileName?: string;
  title?: string;
  /** Decimal string up to 2.3.5, {low,high} from 2.3.6, sometimes a number. */
  fileLength?: string | number | { low: number; high: number };
  seconds?: number;
  ptt?: boolean;
  url?: string;
  contextInfo?: EvolutionContextInfo;
}

export interface EvolutionContextInfo {
  stanzaId?: string;
  participant?: string;
  quotedMessage?: unknown;
}

export interface EvolutionMessageContent {
  /** The decrypted media, only when the instance webhook has `base64: true`. */
  base64?: string;
  /** Containers of disappearing-mode and view-once messages; the content is one level down. */
  ephemeralMessage?: { message?: EvolutionMessageContent };
  viewOnceMessage?: { message?: EvolutionMessageContent };
  viewOnceMessageV2?: { message?: EvolutionMessageContent };
  viewOnceMessageV2Extension?: { message?: EvolutionMessageContent };
  conversation?: string;
  extendedTextMessage?: { text?: string; contextInfo?: EvolutionContextInfo };
  imageMessage?: EvolutionMediaMessage;
  videoMessage?: EvolutionMediaMessage;
  ptvMessage?: EvolutionMediaMessage;
  audioMessage?: EvolutionMediaMessage;
  documentMessage?: EvolutionMediaMessage;
  documentWithCaptionMessage?: { message?: { documentMessage?: EvolutionMediaMessage } };
  stickerMessage?: EvolutionMediaMessage;
  locationMessage?: {
    degreesLatitude?: number;
    degreesLongitude?: number;
    name?: string;
    address?: string;
  };
  liveLocationMessage?: { degreesLatitude?: number; degreesLongitude?: number };
  contactMessage?: { displayName?: string; vcard?: string };
  contactsArrayMessage?: { displayName?: string; contacts?: { displayName?: string }[] };
  reactionMessage?: { key?: EvolutionKey; text?: string };
  pollCreationMessage?: { name?: string };
  buttonsResponseMessage?: { selectedDisplayText?: string };
  listResponseMessage?: { title?: string };
  templateButtonReplyMessage?: { selectedDisplayText?: string };
}

export interface EvolutionUpsertData {
  key?: EvolutionKey;
  pushName?: string;
  status?: string;
  message?: EvolutionMessageContent;
  contextInfo?: EvolutionContextInfo;
  messageType?: string;
  messageTimestamp?: number | string | { low: number; high: number };
}

export interface EvolutionUpdateData {
  keyId?: string;
  remoteJid?: string;
  fromMe?: boolean;
  status?: string;
  messageId?: string;
}

export interface EvolutionConnectionData {
  instance?: string;
  state?: string;
  statusReason?: number;
  wuid?: string;
}
