import type { MessageStatus } from './enums';
import type { ChannelView, MessageErrorView, MessageView, ThreadView } from './views';

/**
 * Server -> client Socket.IO events. Every event that changes state carries `seq`, the id of
 * its row in realtime_events; a client remembers the highest seq it applied and sends it back
 * as `handshake.auth.lastSeq` on reconnect to receive a `sync` with what it missed.
 */
export interface NewMessageEvent {
  seq: number;
  threadId: string;
  message: MessageView;
  thread: ThreadView;
}

export interface StatusUpdateEvent {
  seq: number;
  threadId: string;
  messageId: string;
  status: MessageStatus;
  providerMessageId: string | null;
  error: MessageErrorView | null;
}

/** A message changed other than by status: reactions, deletion, transcript, provider id. */
export interface MessageUpdatedEvent {
  seq: number;
  threadId: string;
  message: MessageView;
}

export interface ThreadUpdatedEvent {
  seq: number;
  thread: ThreadView;
}

export interface ChannelUpdatedEvent {
  seq: number;
  channel: ChannelView;
}

/**
 * Progress of a channel's history import (Android SMS gateway "sync": the phone's recent
 * messages pulled into threads). Pushed on the socket's `sync` event with `kind: 'history'`,
 * so a client tells it apart from a catch-up sync by `kind`.
 */
export interface HistorySyncEvent {
  seq: number;
  kind: 'history';
  channelId: string;
  state: 'running' | 'done' | 'failed';
  /** Messages the provider said it would resend, when it says (null: unknown yet). */
  total: number | null;
  /** New messages stored so far, and ones we already had (deduplicated by the phone's id). */
  imported: number;
  skipped: number;
  error: string | null;
  startedAt: string;
}

export type RealtimeEvent =
  | { type: 'new_message'; data: NewMessageEvent }
  | { type: 'status_update'; data: StatusUpdateEvent }
  | { type: 'message_updated'; data: MessageUpdatedEvent }
  | { type: 'thread_updated'; data: ThreadUpdatedEvent }
  | { type: 'channel_updated'; data: ChannelUpdatedEvent }
  | { type: 'history_sync'; data: HistorySyncEvent };

export type RealtimeEventType = RealtimeEvent['type'];

/**
 * Sent first after a (re)connect that carried `lastSeq`: every event after it, in seq order,
 * or `reset: true` when the gap is too large and the client should refetch its lists.
 */
export interface SyncEvent {
  reset: boolean;
  events: RealtimeEvent[];
  /** The highest seq known to the server at the time of the sync. */
  lastSeq: number;
}

export interface ServerToClientEvents {
  new_message: (e: NewMessageEvent) => void;
  status_update: (e: StatusUpdateEvent) => void;
  message_updated: (e: MessageUpdatedEvent) => void;
  thread_updated: (e: ThreadUpdatedEvent) => void;
  channel_updated: (e: ChannelUpdatedEvent) => void;
  /** A catch-up (SyncEvent) or, with `kind: 'history'`, a history import's progress. */
  sync: (e: SyncEvent | HistorySyncEvent) => void;
}

export interface ClientToServerEvents {
  /** Join a thread's room to hear its events; the tenant room is joined on connect. */
  'thread:join': (threadId: string) => void;
  'thread:leave': (threadId: string) => void;
}

export interface HandshakeAuth {
  token?: string;
  lastSeq?: number;
}
