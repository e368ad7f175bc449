import type { ConnectionTestView, HistorySyncEvent, MessageErrorView, MessageStatus, TemplateListView } from '@switchboard/contracts';

/** A history import as the server answers it over HTTP (the socket event without its seq). */
export type HistorySyncView = Omit<HistorySyncEvent, 'seq'>;

/** The actions a channel card offers that talk to the server. */
export type ChannelAction = 'test' | 'webhook' | 'loop' | 'sync' | 'templates';

/** The last run of one action on one channel. */
export interface ActionState {
  busy: boolean;
  /** The server's refusal or a network error, in words. */
  error: string | null;
  /** A connection test's answer (test, webhook, loop). */
  result: ConnectionTestView | null;
  /** A line to show instead of / above the result ("Saved and tested", "Import started"). */
  note: string | null;
}

/** One tick of the test message, with when it was seen here. */
export interface LoopStep {
  status: MessageStatus;
  /** Epoch ms when this page saw the status (the click for `pending`). */
  at: number;
}

/** The test message sent by "Send test message", followed live by its status_update events. */
export interface LoopTrack {
  messageId: string;
  threadId: string;
  to: string;
  startedAt: number;
  /** The statuses seen, in the order they arrived. */
  steps: LoopStep[];
  status: MessageStatus;
  error: MessageErrorView | null;
}

/** Everything a card shows besides the channel itself. */
export interface ChannelPanel {
  actions: Partial<Record<ChannelAction, ActionState>>;
  loop: LoopTrack | null;
  /** Meta channels: the synced WhatsApp templates (null until loaded). */
  templates: TemplateListView | null;
  /** Android SMS: the latest history import as fetched or started over HTTP (live events may be newer). */
  sync: HistorySyncView | null;
}

export const EMPTY_PANEL: ChannelPanel = { actions: {}, loop: null, templates: null, sync: null };

/** Which form is open: adding a channel, or editing one. */
export type Editor = { mode: 'add' } | { mode: 'edit'; channelId: string } | null;
