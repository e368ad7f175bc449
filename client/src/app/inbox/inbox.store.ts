import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type {
  AttachmentRef,
  ChannelView,
  MediaView,
  MessageKind,
  MessageView,
  StartThreadRequest,
  TemplateRef,
  ThreadStatus,
  ThreadView,
} from '@switchboard/contracts';

import { CommsApi, errorMessage, isTransientError } from '../api/comms-api.service';
import { RealtimeService, type RealtimeSink } from '../realtime/realtime.service';
import { ToastService } from '../shared/toast.service';
import { ConversationStarter, type StartOutcome } from './conversation-starter';
import { InboxEntities } from './inbox-entities';
import { compareMessages, isLocalMessage, localMessage, ts } from './inbox-merge';
import { applyRealtimeEvent, type InboxEventTarget } from './inbox-realtime';
import { EMPTY_PAGE_STATE, type MessagePageState, type ThreadFilter } from './inbox.types';
import { MessagePaging } from './message-paging';
import { Outbox } from './outbox';
import { ThreadListPaging } from './thread-list-paging';

/**
 * The inbox's single source of truth, and the one face components talk to. Threads are kept by
 * id, messages per thread by id (`InboxEntities`); every ordering is derived with `computed`. HTTP
 * responses and socket events go through the same upserts, so a refetch and a live update always
 * converge on the same state. It owns the parts that do the work: the list's paging, each
 * conversation's paging and the outbox of unsent texts.
 */
@Injectable({ providedIn: 'root' })
export class InboxStore {
  private readonly api = inject(CommsApi);
  private readonly realtime = inject(RealtimeService);
  private readonly toasts = inject(ToastService);

  // ---- state -------------------------------------------------------------------------------
  private readonly entities = new InboxEntities();
  private readonly list = new ThreadListPaging(this.api, this.entities.threads, {
    upsertThreads: (views) => this.upsertThreads(views),
    seedSeq: (seq) => this.realtime.seedSeq(seq),
    reportError: (message) => this.toasts.error(message),
  });
  private readonly outbox = new Outbox(this.api, {
    findByClientId: (threadId, clientMessageId) => this.entities.findByClientId(threadId, clientMessageId),
    upsertMessages: (threadId, views, opts) => this.upsertMessages(threadId, views, opts),
    reportError: (message) => this.toasts.error(message),
    accepted: (send) => this.releasePreview(send.clientMessageId),
  });
  private readonly starter = new ConversationStarter(this.api, {
    upsertThreads: (views) => this.upsertThreads(views),
    upsertMessages: (threadId, views, opts) => this.upsertMessages(threadId, views, opts),
    include: (id) => this.list.include(id),
    show: (id) => {
      this.list.setQuery('');
      this.list.include(id);
      void this.openThread(id);
    },
    reportError: (message) => this.toasts.error(message),
  });
  private readonly pages = new MessagePaging(this.api, this.entities, (message) => this.toasts.error(message));
  private readonly selectedIdSignal = signal<string | null>(null);
  private readonly drafts = new Map<string, string>();
  /** Object URLs shown in optimistic attachment bubbles, by clientMessageId, until the server has the message. */
  private readonly previews = new Map<string, string>();
  private readonly readInFlight = new Set<string>();
  private readonly readAgain = new Set<string>();
  private initialized = false;

  // ---- public read-only views ----------------------------------------------------------------
  readonly filter = this.list.filter;
  readonly query = this.list.query;
  readonly selectedId = this.selectedIdSignal.asReadonly();
  readonly listState = this.list.state;
  readonly channels = this.entities.channels;
  readonly historySyncs = this.entities.historySyncs;
  /** Every cached conversation's messages by id (settings follows its test message's ticks here). */
  readonly messages = this.entities.messages;
  /** The "new conversation" flow shown in place of a conversation, or null. */
  readonly newConversation = this.starter.flow;

  /** The thread list: current query/filter, newest activity first. */
  readonly threads = this.list.threads;

  readonly selectedThread = computed(() => {
    const id = this.selectedIdSignal();
    return id ? (this.entities.threads().get(id) ?? null) : null;
  });

  readonly selectedChannel = computed(() => {
    const t = this.selectedThread();
    return t ? (this.entities.channels().get(t.channelId) ?? null) : null;
  });

  /** The open thread's messages by id (for reply quotes). */
  readonly selectedMessageIndex = computed<ReadonlyMap<string, MessageView>>(() => {
    const id = this.selectedIdSignal();
    return (id && this.entities.messages().get(id)) || new Map();
  });

  /** The open thread's messages in chronological order. */
  readonly selectedMessages = computed(() => [...this.selectedMessageIndex().values()].sort(compareMessages));

  readonly selectedPage = computed<MessagePageState>(() => {
    const id = this.selectedIdSignal();
    return (id && this.entities.pageStates().get(id)) || EMPTY_PAGE_STATE;
  });

  /** Sum of unread messages over every known thread (tab title). */
  readonly totalUnread = computed(() => {
    let n = 0;
    for (const t of this.entities.threads().values()) n += Math.max(0, t.unreadCount);
    return n;
  });

  /** The writers socket events go through (see `applyRealtimeEvent`). */
  private readonly events: InboxEventTarget = {
    upsertThreads: (views, autoRead, fromNewMessage) => this.upsertThreads(views, autoRead, fromNewMessage),
    upsertMessages: (threadId, views) => this.upsertMessages(threadId, views),
    upsertChannels: (views) => this.upsertChannels(views),
    applyHistorySync: (e) => this.entities.applyHistorySync(e),
    applyStatus: (e) => this.entities.applyStatus(e),
    addToListIfFits: (thread) => this.list.addIfFits(thread),
  };

  /** The socket sink: events are applied through the same upserts as HTTP responses. */
  private readonly sink: RealtimeSink = {
    apply: (event) => applyRealtimeEvent(this.events, event),
    resync: () => this.resync(),
    caughtUp: () => this.outbox.flush(),
  };

  constructor() {
    const onVisible = () => {
      if (document.visibilityState === 'visible') this.markSelectedReadIfNeeded();
    };
    const onOnline = () => this.outbox.flush();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('online', onOnline);
    inject(DestroyRef).onDestroy(() => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('online', onOnline);
      this.outbox.dispose();
      for (const url of this.previews.values()) URL.revokeObjectURL(url);
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
    this.list.setFilter(filter);
  }

  setQuery(q: string): void {
    this.list.setQuery(q);
  }

  /** (Re)load the first page of the list for the current query and filter. */
  loadThreads(): Promise<void> {
    return this.list.load();
  }

  /** Infinite scroll: append the next page of the list. */
  loadMoreThreads(): Promise<void> {
    return this.list.loadMore();
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
    this.starter.dismiss();
    const alreadyOpen = this.selectedIdSignal() === id;
    this.selectedIdSignal.set(id);
    this.realtime.setActiveThread(id);
    if (alreadyOpen) return;

    if (!this.entities.threads().has(id)) {
      try {
        this.upsertThreads([await this.api.getThread(id)]);
      } catch (err) {
        this.toasts.error(errorMessage(err));
        if (this.selectedIdSignal() === id) this.closeThread();
        return;
      }
    }
    this.markRead(id);
    const state = this.entities.pageStates().get(id);
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
    const t = this.entities.threads().get(id);
    if (t && t.unreadCount !== 0) this.entities.setThreadLocal(id, { unreadCount: 0 });
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

  // ---- new conversation ----------------------------------------------------------------------

  /** Open the "new conversation" flow, `to` prefilled, in place of the open conversation. */
  openNewConversation(to = ''): void {
    this.starter.begin(to, this.selectedIdSignal());
    this.closeThread();
  }

  /** Cancel the flow and go back to the conversation it replaced. */
  cancelNewConversation(): void {
    const back = this.starter.cancel();
    if (back) void this.openThread(back);
  }

  /** POST the first message; once accepted the thread is listed and opened, the search cleared. */
  startConversation(request: StartThreadRequest): Promise<StartOutcome> {
    return this.starter.start(request);
  }

  // ---- thread actions ------------------------------------------------------------------------

  async toggleStar(id: string): Promise<void> {
    const t = this.entities.threads().get(id);
    if (!t) return;
    const starred = !t.starred;
    this.entities.setThreadLocal(id, { starred });
    try {
      this.upsertThreads([await this.api.patchThread(id, { starred })]);
    } catch (err) {
      this.entities.setThreadLocal(id, { starred: !starred });
      this.toasts.error(errorMessage(err));
    }
  }

  async setStatus(id: string, status: ThreadStatus): Promise<void> {
    const t = this.entities.threads().get(id);
    if (!t || t.status === status) return;
    const previous = t.status;
    this.entities.setThreadLocal(id, { status });
    try {
      this.upsertThreads([await this.api.patchThread(id, { status })]);
    } catch (err) {
      this.entities.setThreadLocal(id, { status: previous });
      this.toasts.error(errorMessage(err));
    }
  }

  // ---- messages ------------------------------------------------------------------------------

  loadLatestMessages(threadId: string): Promise<void> {
    return this.pages.loadLatest(threadId);
  }

  /** Page backwards: prepend the next older page of the open thread. */
  loadOlderMessages(threadId: string): Promise<boolean> {
    return this.pages.loadOlder(threadId);
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
    const local = localMessage(threadId, clientMessageId, body, replyToId);
    this.showLocal(local, body);
    this.outbox.enqueue({ threadId, clientMessageId, body, replyToId });
  }

  /**
   * An attachment's optimistic bubble, shown while its file uploads: the local preview (an object
   * URL) and a clock tick. Nothing is posted yet; `sendAttachment` or `discardAttachment` follows.
   */
  showAttachment(threadId: string, draft: LocalAttachment): void {
    this.upsertMessages(threadId, [localAttachment(threadId, draft)], { create: true, force: true });
  }

  /**
   * The file is uploaded: post its message through the outbox, like a text (same clientMessageId
   * on every retry, so a lost answer never doubles it). The store now owns the preview URL and
   * releases it once the server has the message.
   */
  sendAttachment(threadId: string, draft: LocalAttachment, attachment: AttachmentRef, preview: string): void {
    const local = localAttachment(threadId, draft);
    if (draft.media.url?.startsWith('blob:')) this.previews.set(draft.clientMessageId, draft.media.url);
    this.showLocal(local, draft.caption ? `${preview}: ${draft.caption}` : preview);
    this.outbox.enqueue({
      threadId,
      clientMessageId: draft.clientMessageId,
      body: draft.caption,
      replyToId: null,
      attachments: [attachment],
    });
  }

  /** The upload failed: no message exists, so its bubble goes (the file stays in the tray). */
  discardAttachment(threadId: string, clientMessageId: string): void {
    const local = this.entities.findByClientId(threadId, clientMessageId);
    if (local && isLocalMessage(local)) this.entities.removeMessage(threadId, local.id);
  }

  /** Send an approved WhatsApp template; `rendered` (its body with the values) is the optimistic bubble's text. */
  sendTemplate(threadId: string, template: TemplateRef, rendered: string): void {
    const clientMessageId = crypto.randomUUID();
    const local: MessageView = { ...localMessage(threadId, clientMessageId, rendered, null), kind: 'template' };
    this.showLocal(local, rendered);
    this.outbox.enqueue({ threadId, clientMessageId, body: '', replyToId: null, template });
  }

  /** Show an optimistic bubble and bump its thread to the top until the server's copy arrives. */
  private showLocal(local: MessageView, preview: string): void {
    const threadId = local.threadId;
    this.upsertMessages(threadId, [local], { create: true });
    const t = this.entities.threads().get(threadId);
    if (t) {
      this.entities.bumpForSend(threadId, {
        lastMessageAt: ts(t.lastMessageAt) > Date.now() ? t.lastMessageAt : local.createdAt,
        lastMessagePreview: preview,
      });
      this.list.include(threadId);
    }
  }

  private releasePreview(clientMessageId: string): void {
    const url = this.previews.get(clientMessageId);
    if (!url) return;
    this.previews.delete(clientMessageId);
    // The server's copy (its own media URL) has replaced the bubble; give the image a moment to swap.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Retry a failed outbound message: re-POST a local one, or ask the server to re-queue it. */
  async retry(message: MessageView): Promise<void> {
    if (message.status !== 'failed') return;
    const reset: MessageView = { ...message, status: 'pending', error: null };
    this.upsertMessages(message.threadId, [reset], { create: true, force: true });
    if (isLocalMessage(message) && message.clientMessageId) {
      // An attachment or a template is re-posted exactly as it was; a text from its bubble.
      if (this.outbox.resend(message.clientMessageId)) return;
      this.outbox.enqueue({
        threadId: message.threadId,
        clientMessageId: message.clientMessageId,
        body: message.body ?? '',
        replyToId: message.replyToId,
      });
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

  // ---- realtime ------------------------------------------------------------------------------

  /** A gap could not be replayed: refetch the list, the open thread and the channels. */
  private async resync(): Promise<void> {
    const open = this.selectedIdSignal();
    // Cached conversations may be stale: keep only the open one (refetched below) and those with
    // sends in flight (their optimistic bubbles); the rest reload when opened.
    const keep = new Set<string>(this.outbox.threadIds());
    if (open) keep.add(open);
    this.entities.keepConversations(keep);
    await Promise.all([this.loadThreads(), this.loadChannels(), open ? this.loadLatestMessages(open) : Promise.resolve()]);
  }

  // ---- upserts (the only writers of threads/messages/channels, via the entities) -------------

  upsertThreads(views: readonly ThreadView[], autoRead = true, fromNewMessage = false): void {
    if (views.length === 0) return;
    // The agent is looking at the open conversation: it stays read.
    const lookingAt = autoRead && document.visibilityState === 'visible' ? this.selectedIdSignal() : null;
    if (this.entities.upsertThreads(views, fromNewMessage, lookingAt) && lookingAt) this.markRead(lookingAt);
  }

  /** See `InboxEntities.upsertMessages`: status never moves backwards unless `force`. */
  upsertMessages(threadId: string, views: readonly MessageView[], opts: { create?: boolean; force?: boolean } = {}): void {
    this.entities.upsertMessages(threadId, views, opts);
  }

  upsertChannels(views: readonly ChannelView[]): void {
    this.entities.upsertChannels(views);
  }
}

/** An attachment's optimistic bubble: what kind it will be sent as, its local preview and caption. */
export interface LocalAttachment {
  clientMessageId: string;
  kind: MessageKind;
  /** `url`: an object URL of the chosen file. */
  media: MediaView;
  /** '' for none. */
  caption: string;
  /** Kept across re-shows so several files sent together stay in order. */
  createdAt: string;
}

function localAttachment(threadId: string, draft: LocalAttachment): MessageView {
  return {
    ...localMessage(threadId, draft.clientMessageId, draft.caption, null),
    kind: draft.kind,
    body: draft.caption || null,
    media: draft.media,
    createdAt: draft.createdAt,
  };
}
