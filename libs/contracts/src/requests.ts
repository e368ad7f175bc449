import type { ProviderKind, ThreadStatus } from './enums';

/** A template parameter, as WhatsApp Cloud API takes it (text only from the composer). */
export interface TemplateParameter {
  type: 'text';
  text: string;
}

export interface TemplateComponentRef {
  type: 'header' | 'body' | 'button';
  sub_type?: string;
  index?: string;
  parameters: TemplateParameter[];
}

/** Which approved template to send, with its parameters (Meta's `template` object). */
export interface TemplateRef {
  name: string;
  language: { code: string };
  components?: TemplateComponentRef[];
}

/** One file to send: uploaded first with POST /api/comms/uploads. */
export interface AttachmentRef {
  uploadId: string;
  /** Send an audio file as a voice note (push-to-talk) where the provider distinguishes. */
  voice?: boolean;
}

/**
 * POST /api/comms/threads/:id/messages. A repeated clientMessageId returns the first message.
 * Exactly one of: `body` (text), `attachments` (one file; `body` becomes its caption), `template`.
 */
export interface SendMessageRequest {
  body?: string;
  clientMessageId: string;
  replyToId?: string;
  attachments?: AttachmentRef[];
  template?: TemplateRef;
}

/** POST /api/comms/channels/:id/test: with `loopTo`, also send a test message there and track it. */
export interface ChannelTestRequest {
  loopTo?: string;
}

/**
 * POST /api/comms/threads: start a conversation with a number typed in any format, with text
 * or (what a Meta number needs for someone who has not written in 24 hours) a template.
 */
export interface StartThreadRequest {
  channelId: string;
  to: string;
  body?: string;
  template?: TemplateRef;
  clientMessageId: string;
}

/** PATCH /api/comms/threads/:id */
export interface PatchThreadRequest {
  status?: ThreadStatus;
  starred?: boolean;
  /** true marks every message read (unreadCount 0); false marks the thread unread. */
  read?: boolean;
  snoozedUntil?: string | null;
}

/** GET /api/comms/threads query. */
export interface ThreadListQuery {
  q?: string;
  status?: ThreadStatus;
  starred?: boolean;
  unread?: boolean;
  channelId?: string;
  assigneeId?: string;
  cursor?: string;
  limit?: number;
}

/** POST /api/comms/channels */
export interface CreateChannelRequest {
  provider: ProviderKind;
  name: string;
  config?: Record<string, string>;
  secrets?: Record<string, string>;
}

/** PATCH /api/comms/channels/:id: absent secret fields keep their stored value. */
export interface UpdateChannelRequest {
  name?: string;
  config?: Record<string, string>;
  secrets?: Record<string, string>;
}

/** POST /api/comms/provider/test: test unsaved settings, or a saved channel by id. */
export interface ProviderTestRequest {
  channelId?: string;
  provider?: ProviderKind;
  config?: Record<string, string>;
  secrets?: Record<string, string>;
}
