import { computed, signal, type Signal } from '@angular/core';
import type { ThreadView } from '@switchboard/contracts';

import { errorMessage, type CommsApi } from '../api/comms-api.service';
import { compareThreads, ts } from './inbox-merge';
import { PAGE_SIZE, type ListState, type ThreadFilter } from './inbox.types';

/** What the thread list needs from the store that owns it. */
export interface ThreadListHost {
  /** The store's thread upsert (so an open conversation stays read). */
  upsertThreads(views: readonly ThreadView[]): void;
  /** The realtime seq a fetched list reflects. */
  seedSeq(seq: number | null): void;
  reportError(message: string): void;
}

/**
 * Which threads the list shows: the current query and filter, paged in newest first, plus live
 * arrivals that fit. Only ids are kept here; the threads themselves live in the store's entities.
 */
export class ThreadListPaging {
  private readonly filterSignal = signal<ThreadFilter>('all');
  private readonly querySignal = signal('');
  /** Ids of the threads in the current list (query + filter), as paged in plus live arrivals. */
  private readonly ids = signal<ReadonlySet<string>>(new Set());
  private readonly stateSignal = signal<ListState>({
    loading: false,
    loadingMore: false,
    nextCursor: null,
    error: null,
  });
  private token = 0;

  readonly filter = this.filterSignal.asReadonly();
  readonly query = this.querySignal.asReadonly();
  readonly state = this.stateSignal.asReadonly();

  /** The thread list: current query/filter, newest activity first. */
  readonly threads = computed(() => {
    const map = this.threadMap();
    const out: ThreadView[] = [];
    for (const id of this.ids()) {
      const t = map.get(id);
      if (t) out.push(t);
    }
    return out.sort(compareThreads);
  });

  constructor(
    private readonly api: CommsApi,
    private readonly threadMap: Signal<ReadonlyMap<string, ThreadView>>,
    private readonly host: ThreadListHost,
  ) {}

  setFilter(filter: ThreadFilter): void {
    if (filter === this.filterSignal()) return;
    this.filterSignal.set(filter);
    void this.load();
  }

  setQuery(q: string): void {
    const query = q.trim();
    if (query === this.querySignal()) return;
    this.querySignal.set(query);
    void this.load();
  }

  /** (Re)load the first page of the list for the current query and filter. */
  async load(): Promise<void> {
    const token = ++this.token;
    this.stateSignal.update((s) => ({ ...s, loading: true, loadingMore: false, error: null }));
    try {
      const { page, seq } = await this.api.listThreads(this.listQuery(null));
      if (token !== this.token) return; // a newer query superseded this one
      this.host.seedSeq(seq);
      this.host.upsertThreads(page.items);
      this.ids.set(new Set(page.items.map((t) => t.id)));
      this.stateSignal.set({ loading: false, loadingMore: false, nextCursor: page.nextCursor, error: null });
    } catch (err) {
      if (token !== this.token) return;
      const message = errorMessage(err);
      this.stateSignal.update((s) => ({ ...s, loading: false, error: message }));
      this.host.reportError(message);
    }
  }

  /** Infinite scroll: append the next page of the list. */
  async loadMore(): Promise<void> {
    const state = this.stateSignal();
    if (state.loading || state.loadingMore || !state.nextCursor) return;
    const token = this.token;
    this.stateSignal.update((s) => ({ ...s, loadingMore: true }));
    try {
      const { page } = await this.api.listThreads(this.listQuery(state.nextCursor));
      if (token !== this.token) return;
      this.host.upsertThreads(page.items);
      this.ids.update((ids) => new Set([...ids, ...page.items.map((t) => t.id)]));
      this.stateSignal.update((s) => ({ ...s, loadingMore: false, nextCursor: page.nextCursor }));
    } catch (err) {
      if (token !== this.token) return;
      this.stateSignal.update((s) => ({ ...s, loadingMore: false }));
      this.host.reportError(errorMessage(err));
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

  /** Show a thread the agent just wrote to, whatever the filter. */
  include(id: string): void {
    this.ids.update((ids) => (ids.has(id) ? ids : new Set([...ids, id])));
  }

  /** Whether a thread updated live belongs in the current list (filter, query, loaded window). */
  addIfFits(thread: ThreadView): void {
    if (this.ids().has(thread.id)) return;
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
    const { nextCursor } = this.stateSignal();
    if (nextCursor && list.length > 0 && ts(t.lastMessageAt) < ts(list[list.length - 1].lastMessageAt)) return;
    this.ids.update((ids) => new Set([...ids, t.id]));
  }
}
