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
  /** Snooze until this time (status becomes `snoozed`); null wakes it (status `open`). */
  snoozedUntil?: string | null;
  /** Snooze until the customer writes again (no time limit); combine with `snoozedUntil` for "whichever first". */
  snoozeUntilReply?: boolean;
}

/** What a bulk action does to each selected thread. */
export type BulkThreadAction = 'star' | 'unstar' | 'read' | 'unread' | 'resolve' | 'reopen' | 'snooze';

/** POST /api/comms/threads/bulk: one action on many threads (at most 500 ids). */
export interface BulkThreadsRequest {
  ids: string[];
  action: BulkThreadAction;
  /** With `snooze`: until when (ISO time); omit with `snoozeUntilReply`. */
  snoozedUntil?: string | null;
  snoozeUntilReply?: boolean;
}

/** POST /api/comms/threads/:id/notes: an internal note, shown to agents only, never sent. */
export interface CreateNoteRequest {
  body: string;
  clientMessageId: string;
}

/** POST /api/comms/threads/:id/tasks: a to-do on the conversation, with an optional due time. */
export interface CreateTaskRequest {
  body: string;
  dueAt: string | null;
  clientMessageId: string;
}

/** PATCH /api/comms/threads/:id/tasks/:messageId: complete or reopen a task. */
export interface PatchTaskRequest {
  done: boolean;
}

/**
 * POST /api/comms/canned-responses, PATCH …/:id. `shortcut` is what the agent types after `/`
 * (lowercase letters, digits, `-`, `_`); `body` may hold variables such as {{contact.first_name}}
 * (see canned.ts).
 */
export interface CannedResponseRequest {
  shortcut: string;
  title: string;
  body: string;
}

/** GET /api/comms/threads query. */
export interface ThreadListQuery {
  q?: string;
  status?: ThreadStatus;
  starred?: boolean;
  unread?: boolean;
  /** Only conversations nobody is assigned to. */
  unassigned?: boolean;
  /** Only conversations not linked to a contact. */
  unlinked?: boolean;
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
