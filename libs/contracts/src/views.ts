import type {
  ChannelState,
  MessageDirection,
  MessageKind,
  MessageOrigin,
  MessageStatus,
  ProviderErrorCode,
  ProviderKind,
  ThreadStatus,
} from './enums';

/** A cursor page: pass `nextCursor` back as `?cursor=` to get the next page; null at the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ContactView {
  id: string;
  /** E.164, or null when only a LID / BSUID is known. */
  phone: string | null;
  name: string | null;
  /** Other identities of this person: `lid:<digits>`, `bsuid:<id>`, raw JIDs. */
  aliases: string[];
  optedOut: boolean;
}

export interface ThreadView {
  id: string;
  channelId: string;
  provider: ProviderKind;
  /** E.164 (`+5511987650001`), or `lid:<digits>` / `bsuid:<id>` when no phone is known. */
  address: string;
  displayName: string;
  contact: ContactView | null;
  status: ThreadStatus;
  starred: boolean;
  unreadCount: number;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  lastInboundAt: string | null;
  assigneeId: string | null;
  createdAt: string;
  /** When a snoozed conversation wakes up (null: not snoozed, or snoozed until the next reply only). */
  snoozedUntil: string | null;
  /** A snoozed conversation also wakes when the customer writes. */
  snoozeUntilReply: boolean;
  /** With a search `q` that matched a message's text: that message, to show and jump to. */
  match: ThreadMatchView | null;
}

export interface ThreadMatchView {
  messageId: string;
  /** The matching text around the hit (at most ~120 characters). */
  snippet: string;
  at: string;
}

/** A task message's state (kind `task`). */
export interface TaskView {
  dueAt: string | null;
  doneAt: string | null;
}

/** GET /api/comms/canned-responses(?q=) */
export interface CannedResponseView {
  id: string;
  shortcut: string;
  title: string;
  body: string;
  updatedAt: string;
}

/** POST /api/comms/threads/bulk: the threads as they are now, and the ids that could not be changed. */
export interface BulkThreadsResult {
  updated: ThreadView[];
  failed: { id: string; message: string }[];
}

export interface MediaView {
  mimeType: string | null;
  fileName: string | null;
  size: number | null;
  durationSec: number | null;
  /** Authorised app URL serving the bytes, when the bytes can be fetched. */
  url: string | null;
  /** Set when fetching the file from the provider failed after every retry; opening the URL tries again. */
  downloadError: string | null;
}

export interface LocationView {
  latitude: number;
  longitude: number;
  name: string | null;
  address: string | null;
}

export interface ReactionView {
  emoji: string;
  /** Who reacted: the contact's address, or `agent` / `device` for the business side. */
  by: string;
}

export interface MessageErrorView {
  code: ProviderErrorCode;
  message: string;
  providerCode: string | null;
  retryable: boolean;
}

export interface MessageView {
  id: string;
  threadId: string;
  direction: MessageDirection;
  origin: MessageOrigin;
  kind: MessageKind;
  body: string | null;
  status: MessageStatus;
  providerMessageId: string | null;
  clientMessageId: string | null;
  /** The provider's timestamp (when the customer sent it / the provider accepted it). */
  sentAt: string | null;
  createdAt: string;
  media: MediaView | null;
  location: LocationView | null;
  replyToId: string | null;
  reactions: ReactionView[];
  deletedAt: string | null;
  error: MessageErrorView | null;
  transcript: string | null;
  /** Set on kind `task`. */
  task: TaskView | null;
}

export interface ChannelView {
  id: string;
  provider: ProviderKind;
  name: string;
  /** The channel's own number (E.164) once known. */
  address: string | null;
  state: ChannelState;
  needsReauth: boolean;
  qr: string | null;
  /** The URL to configure as the provider's webhook. */
  callbackUrl: string;
  config: Record<string, string>;
  /** Secret fields, masked (`••••abcd`), or null when unset. Never the secret itself. */
  secrets: Record<string, string | null>;
  createdAt: string;
  /** Changes with every edit and state change: a client keeps the newest view it has seen. */
  updatedAt: string;
}

export interface HealthView {
  status: 'ok' | 'degraded';
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** A stored upload (POST /api/comms/uploads, raw bytes with Content-Type and X-File-Name). */
export interface UploadView {
  uploadId: string;
  mimeType: string;
  fileName: string;
  size: number;
  /** What the file will be sent as. */
  kind: 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';
}

/** A WhatsApp message template as synced from the WABA (GET /api/comms/channels/:id/templates). */
export interface TemplateView {
  name: string;
  language: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED: only APPROVED ones can be sent. */
  status: string;
  category: string;
  /** The body text with {{1}}-style placeholders. */
  body: string;
  header: string | null;
  footer: string | null;
  /** How many {{n}} parameters the body takes. */
  bodyParameters: number;
}

export interface TemplateListView {
  items: TemplateView[];
  /** When the list was last fetched from Meta (null: never). */
  syncedAt: string | null;
}

export interface ConnectionTestView {
  /** With `loopTo`: the test message sent, whose ticks arrive as status_update events. */
  loop?: { messageId: string; threadId: string } | null;
  ok: boolean;
  checks: { name: string; ok: boolean; detail?: string; state?: ChannelState; qr?: string | null; address?: string | null }[];
  latencyMs: number;
}

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
}
