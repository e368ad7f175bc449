import { signal } from '@angular/core';
import {
  canTransition,
  type ChannelView,
  type HistorySyncEvent,
  type MessageView,
  type StatusUpdateEvent,
  type ThreadView,
} from '@switchboard/contracts';

import { mergeMessage, mergeThread, statusApplied } from './inbox-merge';
import { EMPTY_PAGE_STATE, type MessagePageState } from './inbox.types';

/** Status updates kept for messages not loaded yet; the oldest is dropped beyond this. */
const MAX_ORPHAN_STATUSES = 200;

/**
 * The inbox's entities: threads by id, messages per thread by id, channels by id, and the paging
 * state of each conversation. The upserts here are the only writers, and both HTTP responses and
 * socket events go through them, so a refetch and a live update always converge on the same state.
 * Owned by `InboxStore`, which derives every ordering with `computed`.
 */
export class InboxEntities {
  private readonly threadMap = signal<ReadonlyMap<string, ThreadView>>(new Map());
  private readonly messageMap = signal<ReadonlyMap<string, ReadonlyMap<string, MessageView>>>(new Map());
  private readonly pageStateMap = signal<ReadonlyMap<string, MessagePageState>>(new Map());
  private readonly channelMap = signal<ReadonlyMap<string, ChannelView>>(new Map());
  /** The latest history-import progress per channel (Android SMS gateway sync). */
  private readonly historySyncMap = signal<ReadonlyMap<string, HistorySyncEvent>>(new Map());
  /** Threads bumped locally by an optimistic send: the next server snapshot wins unconditionally. */
  private readonly optimisticThreads = new Set<string>();
  /** Status updates for messages not loaded yet (e.g. before the POST answer); applied on arrival. */
  private readonly orphanStatuses = new Map<string, StatusUpdateEvent>();

  readonly threads = this.threadMap.asReadonly();
  readonly messages = this.messageMap.asReadonly();
  readonly pageStates = this.pageStateMap.asReadonly();
  readonly channels = this.channelMap.asReadonly();
  readonly historySyncs = this.historySyncMap.asReadonly();

  // ---- threads -------------------------------------------------------------------------------

  /**
   * Insert or merge thread snapshots. `lookingAt` is the thread the agent has open on a visible
   * page: it stays read. Returns whether its unread count had to be zeroed (the caller marks it
   * read on the server).
   */
  upsertThreads(views: readonly ThreadView[], fromNewMessage: boolean, lookingAt: string | null): boolean {
    let zeroed = false;
    this.threadMap.update((prev) => {
      const next = new Map(prev);
      for (const v of views) {
        let merged = this.mergeThread(prev.get(v.id), v, fromNewMessage);
        // The agent is looking at this conversation: it stays read.
        if (merged.id === lookingAt && merged.unreadCount > 0) {
          merged = { ...merged, unreadCount: 0 };
          zeroed = true;
        }
        next.set(v.id, merged);
      }
      return next;
    });
    return zeroed;
  }

  private mergeThread(current: ThreadView | undefined, incoming: ThreadView, fromNewMessage: boolean): ThreadView {
    if (!current) return incoming;
    // The server's copy after our own send replaces the optimistic bump (whatever the clock skew).
    if (fromNewMessage && this.optimisticThreads.delete(incoming.id)) return incoming;
    return mergeThread(current, incoming);
  }

  /** Local-only thread tweak (optimistic UI); the next server snapshot replaces it. */
  setThreadLocal(id: string, patch: Partial<ThreadView>): void {
    this.threadMap.update((prev) => {
      const t = prev.get(id);
      if (!t) return prev;
      const next = new Map(prev);
      next.set(id, { ...t, ...patch });
      return next;
    });
  }

  /** Bump a thread for a message the agent just sent, until the server's copy of it arrives. */
  bumpForSend(id: string, patch: Partial<ThreadView>): void {
    this.optimisticThreads.add(id);
    this.setThreadLocal(id, patch);
  }

  // ---- messages ------------------------------------------------------------------------------

  /**
   * Insert or merge messages of one thread. Matches by `id`, then by `clientMessageId` (the
   * server's copy replaces the optimistic one). Status never moves backwards (`canTransition`)
   * unless `force`. Without `create`, threads whose messages were never loaded are skipped.
   */
  upsertMessages(threadId: string, views: readonly MessageView[], opts: { create?: boolean; force?: boolean } = {}): void {
    if (views.length === 0) return;
    // Conversations never opened are not cached: opening one fetches its current state.
    if (!opts.create && !this.messageMap().has(threadId) && !this.pageStateMap().has(threadId)) return;
    this.messageMap.update((prev) => {
      const next = new Map(prev.get(threadId) ?? []);
      for (let view of views) {
        let existing = next.get(view.id);
        if (!existing && view.clientMessageId) {
          for (const [id, m] of next) {
            if (m.clientMessageId === view.clientMessageId) {
              existing = m;
              next.delete(id);
              break;
            }
          }
        }
        const orphan = this.orphanStatuses.get(view.id);
        if (orphan) {
          this.orphanStatuses.delete(view.id);
          view = statusApplied(view, orphan);
        }
        next.set(view.id, mergeMessage(existing, view, opts.force ?? false));
      }
      const all = new Map(prev);
      all.set(threadId, next);
      return all;
    });
    if (opts.create && !this.pageStateMap().has(threadId)) this.patchPageState(threadId, {});
  }

  applyStatus(e: StatusUpdateEvent): void {
    const msgs = this.messageMap().get(e.threadId);
    if (!msgs) return; // not loaded: the next fetch brings the current status
    const m = msgs.get(e.messageId);
    if (!m) {
      this.rememberOrphanStatus(e);
      return;
    }
    const next = statusApplied(m, e);
    if (next !== m) this.upsertMessages(e.threadId, [next], { force: true });
  }

  private rememberOrphanStatus(e: StatusUpdateEvent): void {
    const prev = this.orphanStatuses.get(e.messageId);
    if (prev && !canTransition(prev.status, e.status)) return;
    this.orphanStatuses.set(e.messageId, e);
    if (this.orphanStatuses.size > MAX_ORPHAN_STATUSES) {
      const oldest = this.orphanStatuses.keys().next().value;
      if (oldest !== undefined) this.orphanStatuses.delete(oldest);
    }
  }

  /** Take a message out of a conversation (an optimistic bubble whose send never started). */
  removeMessage(threadId: string, messageId: string): void {
    const msgs = this.messageMap().get(threadId);
    if (!msgs?.has(messageId)) return;
    this.messageMap.update((prev) => {
      const next = new Map(msgs);
      next.delete(messageId);
      return new Map(prev).set(threadId, next);
    });
  }

  findByClientId(threadId: string, clientMessageId: string): MessageView | undefined {
    const msgs = this.messageMap().get(threadId);
    if (!msgs) return undefined;
    for (const m of msgs.values()) if (m.clientMessageId === clientMessageId) return m;
    return undefined;
  }

  patchPageState(threadId: string, patch: Partial<MessagePageState>): void {
    this.pageStateMap.update((prev) => {
      const next = new Map(prev);
      next.set(threadId, { ...(prev.get(threadId) ?? EMPTY_PAGE_STATE), ...patch });
      return next;
    });
  }

  /** Forget the cached conversations (messages and paging) of every thread not in `keep`. */
  keepConversations(keep: ReadonlySet<string>): void {
    const prune = <T>(prev: ReadonlyMap<string, T>): ReadonlyMap<string, T> => new Map([...prev].filter(([id]) => keep.has(id)));
    this.messageMap.update(prune);
    this.pageStateMap.update(prune);
  }

  // ---- channels ------------------------------------------------------------------------------

  upsertChannels(views: readonly ChannelView[]): void {
    if (views.length === 0) return;
    this.channelMap.update((prev) => {
      const next = new Map(prev);
      // A replayed or late view (a sync repeats recent events) never replaces a newer one.
      for (const c of views) {
        const known = next.get(c.id);
        if (!known || c.updatedAt >= known.updatedAt) next.set(c.id, c);
      }
      return next;
    });
  }

  /** Keeps the newest progress per channel; a replayed older one (lower seq) never wins. */
  applyHistorySync(e: HistorySyncEvent): void {
    const prev = this.historySyncMap().get(e.channelId);
    if (prev && prev.seq >= e.seq) return;
    this.historySyncMap.update((m) => new Map(m).set(e.channelId, e));
  }
}
