import type { ProviderKind, ThreadStatus } from './enums';

export interface TemplateRef {
  name: string;
  language: { code: string };
  components?: unknown[];
}

/** POST /api/comms/threads/:id/messages. A repeated clientMessageId returns the first message. */
export interface SendMessageRequest {
  body: string;
  clientMessageId: string;
  replyToId?: string;
  template?: TemplateRef;
}

/** POST /api/comms/threads: start a conversation with a number typed in any format. */
export interface StartThreadRequest {
  channelId: string;
  to: string;
  body: string;
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
