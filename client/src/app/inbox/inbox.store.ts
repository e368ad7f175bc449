import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import {
  canTransition,
  type ChannelView,
  type MessageView,
  type RealtimeEvent,
  type StatusUpdateEvent,
  type ThreadStatus,
  type ThreadView,
} from '@switchboard/contracts';

import { CommsApi, errorMessage, isTransientError } from '../api/comms-api.service';
import { RealtimeService, type RealtimeSink } from '../realtime/realtime.service';
import { ToastService } from '../shared/toast.service';

export type ThreadFilter = 'all' | 'unread' | 'starred';

export interface ListState {
  loading: boolean;
  loadingMore: boolean;
  nextCursor: string | null;
  error: string | null;
}

export interface MessagePageState {
  /** The newest page is being fetched. */
  loading: boolean;
  loadingOlder: boolean;
  /** The newest page arrived at least once. */
  loaded: boolean;
  /** Cursor to the next OLDER page; null once the beginning of the conversation is loaded. */
  nextCursor: string | null;
  error: string | null;
}

interface OutboxEntry {
  threadId: string;
  clientMessageId: string;
  body: string;
  replyToId: string | null;
  attempt: number;
  inFlight: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

const PAGE_SIZE = 50;
const LOCAL_PREFIX = 'local-';
const MAX_BACKOFF_MS = 30_000;
const EMPTY_PAGE_STATE: MessagePageState = {
  loading: false,
  loadingOlder: false,
  loaded: false,
  nextCursor: null,
  error: null,
};

function ts(iso: string | null | undefined): number {
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

function compareMessages(a: MessageView, b: MessageView): number {
  return messageOrderKey(a) - messageOrderKey(b) || ts(a.createdAt) - ts(b.createdAt) || a.id.localeCompare(b.id);
}

function compareThreads(a: ThreadView, b: ThreadView): number {
  return ts(b.lastMessageAt) - ts(a.lastMessageAt) || ts(b.createdAt) - ts(a.createdAt) || b.id.localeCompare(a.id);
}

export function isLocalMessage(m: MessageView): boolean {
  return m.id.startsWith(LOCAL_PREFIX);
}

/**
 * The inbox's single source of truth. Threads are kept by id, messages per thread by id; every
 * ordering is derived with `computed`. HTTP responses and socket events go through the same
 * upserts, so a refetch and a live update always converge on the same state.
 */
@Injectable({ providedIn: 'root' })
export class InboxStore {
  private readonly api = inject(CommsApi);
  private readonly realtime = inject(RealtimeService);
  private readonly toasts = inject(ToastService);

  // ---- state -------------------------------------------------------------------------------
  private readonly threadMap = signal<ReadonlyMap<string, ThreadView>>(new Map());
  /** Ids of the threads in the current list (query + filter), as paged in plus live arrivals. */
  private readonly listIds = signal<ReadonlySet<string>>(new Set());
  private readonly listStateSignal = signal<ListState>({
    loading: false,
    loadingMore: false,
    nextCursor: null,
    error: null,
  });
  private readonly messageMap = signal<ReadonlyMap<string, ReadonlyMap<string, MessageView>>>(new Map());
  private readonly pageStates = signal<ReadonlyMap<string, MessagePageState>>(new Map());
  private readonly channelMap = signal<ReadonlyMap<string, ChannelView>>(new Map());
  private readonly filterSignal = signal<ThreadFilter>('all');
  private readonly querySignal = signal('');
  private readonly selectedIdSignal = signal<string | null>(null);

  private readonly drafts = new Map<string, string>();
  private readonly outbox = new Map<string, OutboxEntry>();
  /** Threads bumped locally by an optimistic send: the next server snapshot wins unconditionally. */
  private readonly optimisticThreads = new Set<string>();
  /** Status updates for messages not loaded yet (e.g. before the POST answer); applied on arrival. */
  private readonly orphanStatuses = new Map<string, StatusUpdateEvent>();
  private listToken = 0;
  private readonly readInFlight = new Set<string>();
  private readonly readAgain = new Set<string>();
  private initialized = false;

  // ---- public read-only views ----------------------------------------------------------------
  readonly filter = this.filterSignal.asReadonly();
  readonly query = this.querySignal.asReadonly();
  readonly selectedId = this.selectedIdSignal.asReadonly();
  readonly listState = this.listStateSignal.asReadonly();
  readonly channels = this.channelMap.asReadonly();

  /** The thread list: current query/filter, newest activity first. */
  readonly threads = computed(() => {
    const map = this.threadMap();
    const out: ThreadView[] = [];
    for (const id of this.listIds()) {
      const t = map.get(id);
      if (t) out.push(t);
    }
    return out.sort(compareThreads);
  });

  readonly selectedThread = computed(() => {
    const id = this.selectedIdSignal();
    return id ? (this.threadMap().get(id) ?? null) : null;
  });

  readonly selectedChannel = computed(() => {
    const t = this.selectedThread();
    return t ? (this.channelMap().get(t.channelId) ?? null) : null;
  });

  /** The open thread's messages by id (for reply quotes). */
  readonly selectedMessageIndex = computed<ReadonlyMap<string, MessageView>>(() => {
    const id = this.selectedIdSignal();
    return (id && this.messageMap().get(id)) || new Map();
  });

  /** The open thread's messages in chronological order. */
  readonly selectedMessages = computed(() => [...this.selectedMessageIndex().values()].sort(compareMessages));

  readonly selectedPage = computed<MessagePageState>(() => {
    const id = this.selectedIdSignal();
    return (id && this.pageStates().get(id)) || EMPTY_PAGE_STATE;
  });

  /** Sum of unread messages over every known thread (tab title). */
  readonly totalUnread = computed(() => {
    let n = 0;
    for (const t of this.threadMap().values()) n += Math.max(0, t.unreadCount);
    return n;
  });

  /** The socket sink: events are applied through the same upserts as HTTP responses. */
  private readonly sink: RealtimeSink = {
    apply: (event) => this.applyEvent(event),
    resync: () => this.resync(),
    caughtUp: () => this.flushOutbox(),
  };

  constructor() {
    const onVisible = () => {
      if (document.visibilityState === 'visible') this.markSelectedReadIfNeeded();
    };
    const onOnline = () => this.flushOutbox();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('online', onOnline);
    inject(DestroyRef).onDestroy(() => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('online', onOnline);
      for (const entry of this.outbox.values()) if (entry.timer) clearTimeout(entry.timer);
    });
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Load the first page and channels, then connect the socket (so the list's seq seeds it). */
  async init(initialThreadId: string | null = null): Promise<void> {
    if (this.initialized) return;
    this.initialized = true;
    void this.loadChannels();
    await this.loadThreads();
    this.realtime.connect(this.sink);
    if (initialThreadId) void this.openThread(initialThreadId);
  }

  // ---- thread list ---------------------------------------------------------------------------

  setFilter(filter: ThreadFilter): void {
    if (filter === this.filterSignal()) return;
    this.filterSignal.set(filter);
    void this.loadThreads();
  }

  setQuery(q: string): void {
    const query = q.trim();
    if (query === this.querySignal()) return;
    this.querySignal.set(query);
    void this.loadThreads();
  }

  /** (Re)load the first page of the list for the current query and filter. */
  async loadThreads(): Promise<void> {
    const token = ++this.listToken;
    this.listStateSignal.update((s) => ({ ...s, loading: true, loadingMore: false, error: null }));
    try {
      const { page, seq } = await this.api.listThreads(this.listQuery(null));
      if (token !== this.listToken) return; // a newer query superseded this one
      this.realtime.seedSeq(seq);
      this.upsertThreads(page.items);
      this.listIds.set(new Set(page.items.map((t) => t.id)));
      this.listStateSignal.set({ loading: false, loadingMore: false, nextCursor: page.nextCursor, error: null });
    } catch (err) {
      if (token !== this.listToken) return;
      const message = errorMessage(err);
      this.listStateSignal.update((s) => ({ ...s, loading: false, error: message }));
      this.toasts.error(message);
    }
  }

  /** Infinite scroll: append the next page of the list. */
  async loadMoreThreads(): Promise<void> {
    const state = this.listStateSignal();
    if (state.loading || state.loadingMore || !state.nextCursor) return;
    const token = this.listToken;
    this.listStateSignal.update((s) => ({ ...s, loadingMore: true }));
    try {
      const { page } = await this.api.listThreads(this.listQuery(state.nextCursor));
      if (token !== this.listToken) return;
      this.upsertThreads(page.items);
      this.listIds.update((ids) => new Set([...ids, ...page.items.map((t) => t.id)]));
      this.listStateSignal.update((s) => ({ ...s, loadingMore: false, nextCursor: page.nextCursor }));
    } catch (err) {
      if (token !== this.listToken) return;
      this.listStateSignal.update((s) => ({ ...s, loadingMore: false }));
      this.toasts.error(errorMessage(err));
    }
  }

  private listQuery(cursor: string | null) {
    const filter = this.filterSignal();
    return {
      limit: PAGE_SIZE,
      cursor: cursor ?? undefined,
      q: this.querySignal() || undefined,
      unread: filter === 'unread' || undefined,
      starred: filter === 'starred' || undefined,
    };
  }

  async loadChannels(): Promise<void> {
    try {
      const channels = await this.api.listChannels();
      this.upsertChannels(channels);
    } catch (err) {
      console.warn('could not load channels', err);
    }
  }

  // ---- selection -----------------------------------------------------------------------------

  /** Open a thread: select it, clear its unread count at once, PATCH read, load its messages. */
  async openThread(id: string): Promise<void> {
    const alreadyOpen = this.selectedIdSignal() === id;
    this.selectedIdSignal.set(id);
    this.realtime.setActiveThread(id);
    if (alreadyOpen) return;

    if (!this.threadMap().has(id)) {
      try {
        this.upsertThreads([await this.api.getThread(id)]);
      } catch (err) {
        this.toasts.error(errorMessage(err));
        if (this.selectedIdSignal() === id) this.closeThread();
        return;
      }
    }
    this.markRead(id);
    const state = this.pageStates().get(id);
    if (!state?.loaded && !state?.loading) await this.loadLatestMessages(id);
  }

  closeThread(): void {
    this.selectedIdSignal.set(null);
    this.realtime.setActiveThread(null);
  }

  /** Move the selection up (-1) or down (+1) the visible list. */
  selectRelative(delta: number): string | null {
    const list = this.threads();
    if (list.length === 0) return null;
    const current = list.findIndex((t) => t.id === this.selectedIdSignal());
    const index = current === -1 ? (delta > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, current + delta));
    const next = list[index];
    if (next.id !== this.selectedIdSignal()) void this.openThread(next.id);
    return next.id;
  }

  private markSelectedReadIfNeeded(): void {
    const t = this.selectedThread();
    if (t && t.unreadCount > 0) this.markRead(t.id);
  }

  /**
   * Zero the unread count locally at once and PATCH `{read:true}`. One request per thread at a
   * time; a call while one is in flight schedules exactly one more (a message may have arrived).
   */
  private markRead(id: string): void {
    const t = this.threadMap().get(id);
    if (t && t.unreadCount !== 0) this.setThreadLocal(id, { unreadCount: 0 });
    if (this.readInFlight.has(id)) {
      this.readAgain.add(id);
      return;
    }
    this.readInFlight.add(id);
    this.api
      .patchThread(id, { read: true })
      .then((view) => this.upsertThreads([view], false))
      .catch((err: unknown) => {
        if (!isTransientError(err)) this.toasts.error(errorMessage(err));
      })
      .finally(() => {
        this.readInFlight.delete(id);
        if (this.readAgain.delete(id)) this.markRead(id);
      });
  }

  // ---- thread actions ------------------------------------------------------------------------

  async toggleStar(id: string): Promise<void> {
    const t = this.threadMap().get(id);
    if (!t) return;
    const starred = !t.starred;
    this.setThreadLocal(id, { starred });
    try {
      this.upsertThreads([await this.api.patchThread(id, { starred })]);
    } catch (err) {
      this.setThreadLocal(id, { starred: !starred });
      this.toasts.error(errorMessage(err));
    }
  }

  async setStatus(id: string, status: ThreadStatus): Promise<void> {
    const t = this.threadMap().get(id);
    if (!t || t.status === status) return;
    const previous = t.status;
    this.setThreadLocal(id, { status });
    try {
      this.upsertThreads([await this.api.patchThread(id, { status })]);
    } catch (err) {
      this.setThreadLocal(id, { status: previous });
      this.toasts.error(errorMessage(err));
    }
  }

  // ---- messages ------------------------------------------------------------------------------

  async loadLatestMessages(threadId: string): Promise<void> {
    this.patchPageState(threadId, { loading: true, error: null });
    try {
      const page = await this.api.listMessages(threadId, null, PAGE_SIZE);
      const before = this.pageStates().get(threadId);
      this.upsertMessages(threadId, page.items, { create: true });
      this.patchPageState(threadId, {
        loading: false,
        loaded: true,
        error: null,
        // Keep an older cursor if older pages were already paged in.
        nextCursor: before?.loaded ? before.nextCursor : page.nextCursor,
      });
    } catch (err) {
      const message = errorMessage(err);
      this.patchPageState(threadId, { loading: false, error: message });
      this.toasts.error(message);
    }
  }

  /** Page backwards: prepend the next older page of the open thread. */
  async loadOlderMessages(threadId: string): Promise<boolean> {
    const state = this.pageStates().get(threadId);
    if (!state?.loaded || state.loadingOlder || !state.nextCursor) return false;
    this.patchPageState(threadId, { loadingOlder: true });
    try {
      const page = await this.api.listMessages(threadId, state.nextCursor, PAGE_SIZE);
      this.upsertMessages(threadId, page.items, { create: true });
      this.patchPageState(threadId, { loadingOlder: false, nextCursor: page.nextCursor });
      return page.items.length > 0;
    } catch (err) {
      this.patchPageState(threadId, { loadingOlder: false });
      this.toasts.error(errorMessage(err));
      return false;
    }
  }

  getDraft(threadId: string): string {
    return this.drafts.get(threadId) ?? '';
  }

  setDraft(threadId: string, text: string): void {
    if (text) this.drafts.set(threadId, text);
    else this.drafts.delete(threadId);
  }

  /**
   * Send a text: an optimistic `pending` bubble appears at once, then the POST goes out with a
   * fresh clientMessageId. Network/5xx failures keep it pending and retry with backoff (the
   * endpoint is idempotent on clientMessageId); a 4xx marks it failed with the server's message.
   */
  send(threadId: string, text: string, replyToId: string | null = null): void {
    const body = text.replace(/\s+$/, '');
    if (!body.trim()) return;
    const clientMessageId = crypto.randomUUID();
    const now = new Date().toISOString();
    const local: MessageView = {
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
      createdAt: now,
      media: null,
      location: null,
      replyToId,
      reactions: [],
      deletedAt: null,
      error: null,
      transcript: null,
    };
    this.upsertMessages(threadId, [local], { create: true });
    const t = this.threadMap().get(threadId);
    if (t) {
      this.optimisticThreads.add(threadId);
      this.setThreadLocal(threadId, {
        lastMessageAt: ts(t.lastMessageAt) > Date.now() ? t.lastMessageAt : now,
        lastMessagePreview: body,
      });
      this.listIds.update((ids) => (ids.has(threadId) ? ids : new Set([...ids, threadId])));
    }
    this.outbox.set(clientMessageId, {
      threadId,
      clientMessageId,
      body,
      replyToId,
      attempt: 0,
      inFlight: false,
      timer: null,
    });
    void this.postFromOutbox(clientMessageId);
  }

  /** Retry a failed outbound message: re-POST a local one, or ask the server to re-queue it. */
  async retry(message: MessageView): Promise<void> {
    if (message.status !== 'failed') return;
    const reset: MessageView = { ...message, status: 'pending', error: null };
    this.upsertMessages(message.threadId, [reset], { create: true, force: true });
    if (isLocalMessage(message) && message.clientMessageId) {
      this.outbox.set(message.clientMessageId, {
        threadId: message.threadId,
        clientMessageId: message.clientMessageId,
        body: message.body ?? '',
        replyToId: message.replyToId,
        attempt: 0,
        inFlight: false,
        timer: null,
      });
      void this.postFromOutbox(message.clientMessageId);
      return;
    }
    try {
      const view = await this.api.retryMessage(message.id);
      // Normal merge: a status_update that raced ahead of this answer is not rolled back.
      this.upsertMessages(view.threadId, [view], { create: true });
    } catch (err) {
      this.upsertMessages(message.threadId, [message], { create: true, force: true });
      this.toasts.error(errorMessage(err));
    }
  }

  private async postFromOutbox(clientMessageId: string): Promise<void> {
    const entry = this.outbox.get(clientMessageId);
    if (!entry || entry.inFlight) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    // The server already has it (a new_message event arrived): nothing left to do.
    const known = this.findByClientId(entry.threadId, clientMessageId);
    if (known && !isLocalMessage(known)) {
      this.outbox.delete(clientMessageId);
      return;
    }
    entry.inFlight = true;
    try {
      const view = await this.api.sendMessage(entry.threadId, {
        body: entry.body,
        clientMessageId,
        ...(entry.replyToId ? { replyToId: entry.replyToId } : {}),
      });
      this.outbox.delete(clientMessageId);
      this.upsertMessages(view.threadId, [view], { create: true });
    } catch (err) {
      entry.inFlight = false;
      if (isTransientError(err)) {
        entry.attempt++;
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (entry.attempt - 1)) * (0.8 + Math.random() * 0.4);
        entry.timer = setTimeout(() => void this.postFromOutbox(clientMessageId), delay);
      } else {
        this.outbox.delete(clientMessageId);
        const local = this.findByClientId(entry.threadId, clientMessageId);
        if (local && isLocalMessage(local)) {
          this.upsertMessages(entry.threadId, [
            {
              ...local,
              status: 'failed',
              error: { code: 'bad_request', message: errorMessage(err), providerCode: null, retryable: false },
            },
          ]);
        }
        this.toasts.error(errorMessage(err));
      }
    }
  }

  /** Connection is back: retry every queued send now instead of waiting for its backoff. */
  private flushOutbox(): void {
    for (const entry of this.outbox.values()) {
      if (!entry.inFlight) void this.postFromOutbox(entry.clientMessageId);
    }
  }

  private findByClientId(threadId: string, clientMessageId: string): MessageView | undefined {
    const msgs = this.messageMap().get(threadId);
    if (!msgs) return undefined;
    for (const m of msgs.values()) if (m.clientMessageId === clientMessageId) return m;
    return undefined;
  }

  // ---- realtime ------------------------------------------------------------------------------

  private applyEvent(event: RealtimeEvent): void {
    switch (event.type) {
      case 'new_message': {
        const { thread, message } = event.data;
        this.upsertThreads([thread], true, true);
        this.addToListIfFits(thread);
        this.upsertMessages(event.data.threadId, [message]);
        break;
      }
      case 'status_update':
        this.applyStatus(event.data);
        break;
      case 'message_updated':
        this.upsertMessages(event.data.threadId, [event.data.message]);
        break;
      case 'thread_updated':
        this.upsertThreads([event.data.thread]);
        this.addToListIfFits(event.data.thread);
        break;
      case 'channel_updated':
        this.upsertChannels([event.data.channel]);
        break;
    }
  }

  /** A gap could not be replayed: refetch the list, the open thread and the channels. */
  private async resync(): Promise<void> {
    const open = this.selectedIdSignal();
    // Cached conversations may be stale: keep only the open one (refetched below) and those with
    // sends in flight (their optimistic bubbles); the rest reload when opened.
    const keep = new Set<string>([...this.outbox.values()].map((e) => e.threadId));
    if (open) keep.add(open);
    const prune = <T>(prev: ReadonlyMap<string, T>): ReadonlyMap<string, T> => new Map([...prev].filter(([id]) => keep.has(id)));
    this.messageMap.update(prune);
    this.pageStates.update(prune);
    await Promise.all([this.loadThreads(), this.loadChannels(), open ? this.loadLatestMessages(open) : Promise.resolve()]);
  }

  /** Whether a thread updated live belongs in the current list (filter, query, loaded window). */
  private addToListIfFits(thread: ThreadView): void {
    if (this.listIds().has(thread.id)) return;
    const t = this.threadMap().get(thread.id) ?? thread;
    const filter = this.filterSignal();
    if (filter === 'unread' && t.unreadCount === 0) return;
    if (filter === 'starred' && !t.starred) return;
    const q = this.querySignal().toLowerCase();
    if (q) {
      const digits = q.replace(/\D/g, '');
      const hay = `${t.displayName} ${t.contact?.name ?? ''}`.toLowerCase();
      const matches = hay.includes(q) || (digits.length >= 3 && t.address.replace(/\D/g, '').includes(digits));
      if (!matches) return;
    }
    // Past the loaded window it will come with a later page, in order.
    const list = this.threads();
    const { nextCursor } = this.listStateSignal();
    if (nextCursor && list.length > 0 && ts(t.lastMessageAt) < ts(list[list.length - 1].lastMessageAt)) return;
    this.listIds.update((ids) => new Set([...ids, t.id]));
  }

  private applyStatus(e: StatusUpdateEvent): void {
    const msgs = this.messageMap().get(e.threadId);
    if (!msgs) return; // not loaded: the next fetch brings the current status
    const m = msgs.get(e.messageId);
    if (!m) {
      this.rememberOrphanStatus(e);
      return;
    }
    const next = this.statusApplied(m, e);
    if (next !== m) this.upsertMessages(e.threadId, [next], { force: true });
  }

  private statusApplied(m: MessageView, e: StatusUpdateEvent): MessageView {
    if (!canTransition(m.status, e.status)) return m;
    return {
      ...m,
      status: e.status,
      error: e.status === 'failed' ? (e.error ?? m.error) : null,
      providerMessageId: e.providerMessageId ?? m.providerMessageId,
    };
  }

  private rememberOrphanStatus(e: StatusUpdateEvent): void {
    const prev = this.orphanStatuses.get(e.messageId);
    if (prev && !canTransition(prev.status, e.status)) return;
    this.orphanStatuses.set(e.messageId, e);
    if (this.orphanStatuses.size > 200) {
      const oldest = this.orphanStatuses.keys().next().value;
      if (oldest !== undefined) this.orphanStatuses.delete(oldest);
    }
  }

  // ---- upserts (the only writers of threads/messages/channels) --------------------------------

  upsertThreads(views: readonly ThreadView[], autoRead = true, fromNewMessage = false): void {
    if (views.length === 0) return;
    const selected = autoRead ? this.selectedIdSignal() : null;
    let needsRead = false;
    this.threadMap.update((prev) => {
      const next = new Map(prev);
      for (const v of views) {
        let merged = this.mergeThread(prev.get(v.id), v, fromNewMessage);
        // The agent is looking at this conversation: it stays read.
        if (merged.id === selected && merged.unreadCount > 0 && document.visibilityState === 'visible') {
          merged = { ...merged, unreadCount: 0 };
          needsRead = true;
        }
        next.set(v.id, merged);
      }
      return next;
    });
    if (needsRead && selected) this.markRead(selected);
  }

  private mergeThread(current: ThreadView | undefined, incoming: ThreadView, fromNewMessage: boolean): ThreadView {
    if (!current) return incoming;
    // The server's copy after our own send replaces the optimistic bump (whatever the clock skew).
    if (fromNewMessage && this.optimisticThreads.delete(incoming.id)) return incoming;
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

  /** Local-only thread tweak (optimistic UI); the next server snapshot replaces it. */
  private setThreadLocal(id: string, patch: Partial<ThreadView>): void {
    this.threadMap.update((prev) => {
      const t = prev.get(id);
      if (!t) return prev;
      const next = new Map(prev);
      next.set(id, { ...t, ...patch });
      return next;
    });
  }

  /**
   * Insert or merge messages of one thread. Matches by `id`, then by `clientMessageId` (the
   * server's copy replaces the optimistic one). Status never moves backwards (`canTransition`)
   * unless `force`. Without `create`, threads whose messages were never loaded are skipped.
   */
  upsertMessages(threadId: string, views: readonly MessageView[], opts: { create?: boolean; force?: boolean } = {}): void {
    if (views.length === 0) return;
    // Conversations never opened are not cached: opening one fetches its current state.
    if (!opts.create && !this.messageMap().has(threadId) && !this.pageStates().has(threadId)) return;
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
          view = this.statusApplied(view, orphan);
        }
        next.set(view.id, this.mergeMessage(existing, view, opts.force ?? false));
      }
      const all = new Map(prev);
      all.set(threadId, next);
      return all;
    });
    if (opts.create && !this.pageStates().has(threadId)) this.patchPageState(threadId, {});
  }

  private mergeMessage(current: MessageView | undefined, incoming: MessageView, force: boolean): MessageView {
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

  upsertChannels(views: readonly ChannelView[]): void {
    if (views.length === 0) return;
    this.channelMap.update((prev) => {
      const next = new Map(prev);
      for (const c of views) next.set(c.id, c);
      return next;
    });
  }

  private patchPageState(threadId: string, patch: Partial<MessagePageState>): void {
    this.pageStates.update((prev) => {
      const next = new Map(prev);
      next.set(threadId, { ...(prev.get(threadId) ?? EMPTY_PAGE_STATE), ...patch });
      return next;
    });
  }
}
