import { canTransition, type MessageView, type StatusUpdateEvent, type ThreadView } from '@switchboard/contracts';

/** Id prefix of an optimistic bubble the server has not answered for yet. */
const LOCAL_PREFIX = 'local-';

export function ts(iso: string | null | undefined): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * The server's ordering key (`ordered_at`): the provider timestamp for what the contact (or the
 * business phone) sent, creation time for what the app sent. Not exposed in MessageView, so it is
 * approximated here from `sentAt` / `createdAt`.
 */
export function messageOrderKey(m: MessageView): number {
  const appSent = m.direction === 'outbound' && m.origin !== 'device';
  return appSent ? ts(m.createdAt) : ts(m.sentAt ?? m.createdAt);
}

/** Chronological order of a conversation. */
export function compareMessages(a: MessageView, b: MessageView): number {
  return messageOrderKey(a) - messageOrderKey(b) || ts(a.createdAt) - ts(b.createdAt) || a.id.localeCompare(b.id);
}

/** Thread list order: newest activity first. */
export function compareThreads(a: ThreadView, b: ThreadView): number {
  return ts(b.lastMessageAt) - ts(a.lastMessageAt) || ts(b.createdAt) - ts(a.createdAt) || b.id.localeCompare(a.id);
}

export function isLocalMessage(m: MessageView): boolean {
  return m.id.startsWith(LOCAL_PREFIX);
}

/** The optimistic `pending` bubble of a text the agent just sent. */
export function localMessage(threadId: string, clientMessageId: string, body: string, replyToId: string | null): MessageView {
  return {
    id: LOCAL_PREFIX + clientMessageId,
    threadId,
    direction: 'outbound',
    origin: 'agent',
    kind: 'text',
    body,
    status: 'pending',
    providerMessageId: null,
    clientMessageId,
    sentAt: null,
    createdAt: new Date().toISOString(),
    media: null,
    location: null,
    replyToId,
    reactions: [],
    task: null,
    deletedAt: null,
    error: null,
    transcript: null,
  };
}

/** Merge a thread snapshot into the cached one. */
export function mergeThread(current: ThreadView | undefined, incoming: ThreadView): ThreadView {
  if (!current) return incoming;
  // An older snapshot (e.g. a slow list response) must not roll back the last-message fields.
  if (ts(incoming.lastMessageAt) < ts(current.lastMessageAt)) {
    return {
      ...incoming,
      lastMessageAt: current.lastMessageAt,
      lastMessagePreview: current.lastMessagePreview,
      lastInboundAt: ts(current.lastInboundAt) > ts(incoming.lastInboundAt) ? current.lastInboundAt : incoming.lastInboundAt,
      unreadCount: current.unreadCount,
    };
  }
  return incoming;
}

/** Merge a message snapshot into the cached one: status never moves backwards unless `force`. */
export function mergeMessage(current: MessageView | undefined, incoming: MessageView, force: boolean): MessageView {
  if (!current || force) return incoming;
  if (current.status === incoming.status || canTransition(current.status, incoming.status)) return incoming;
  // An older snapshot: keep the more advanced delivery state.
  return {
    ...incoming,
    status: current.status,
    error: current.error,
    providerMessageId: incoming.providerMessageId ?? current.providerMessageId,
  };
}

/** A status update applied to a message, or the message itself if the lattice forbids the move. */
export function statusApplied(m: MessageView, e: StatusUpdateEvent): MessageView {
  if (!canTransition(m.status, e.status)) return m;
  return {
    ...m,
    status: e.status,
    error: e.status === 'failed' ? (e.error ?? m.error) : null,
    providerMessageId: e.providerMessageId ?? m.providerMessageId,
  };
}
