import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  linkedSignal,
  viewChild,
} from '@angular/core';

import { RealtimeService } from '../../realtime/realtime.service';
import { ClockService } from '../../shared/clock.service';
import { typedPhoneNumber } from '../../shared/phone-format';
import { InboxStore } from '../inbox.store';
import type { ThreadFilter } from '../inbox.types';
import { ThreadItem } from './thread-item.component';

const SEARCH_DEBOUNCE_MS = 250;
/** Start fetching the next page when this close (px) to the bottom. */
const LOAD_MORE_THRESHOLD = 400;

interface Chip {
  value: ThreadFilter;
  label: string;
}

@Component({
  selector: 'sb-thread-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ThreadItem],
  templateUrl: './thread-list.component.html',
  styleUrl: './thread-list.component.css',
})
export class ThreadList {
  protected readonly store = inject(InboxStore);
  protected readonly realtime = inject(RealtimeService);
  protected readonly clock = inject(ClockService);

  protected readonly chips: readonly Chip[] = [
    { value: 'all', label: 'All' },
    { value: 'unread', label: 'Unread' },
    { value: 'starred', label: 'Starred' },
  ];
  protected readonly skeletons = [0, 1, 2, 3, 4, 5, 6];
  protected readonly threads = this.store.threads;
  protected readonly state = this.store.listState;
  /** What is in the box; emptied when the store clears the search (a conversation was started). */
  protected readonly searchText = linkedSignal<string, string>({
    source: this.store.query,
    computation: (query, previous) => (query && previous ? previous.value : query),
  });
  /** The search is a phone number being typed: offer to start a conversation with it. */
  protected readonly typedNumber = computed(() => typedPhoneNumber(this.searchText()));
  /** Roving tabindex: the selected row, else the first one. */
  protected readonly focusableId = computed(() => {
    const selected = this.store.selectedId();
    const list = this.threads();
    return list.some((t) => t.id === selected) ? selected : (list[0]?.id ?? null);
  });

  private readonly scroller = viewChild.required<ElementRef<HTMLElement>>('scroller');
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set when keyboard navigation changed the selection: focus follows it after render. */
  private focusPending = false;

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      if (this.searchTimer) clearTimeout(this.searchTimer);
    });

    afterRenderEffect(() => {
      const selected = this.store.selectedId();
      this.threads();
      const el = this.scroller().nativeElement;
      if (this.focusPending && selected) {
        this.focusPending = false;
        const row = el.querySelector<HTMLElement>(`[data-thread-id="${CSS.escape(selected)}"]`);
        row?.focus({ preventScroll: true });
        row?.scrollIntoView({ block: 'nearest' });
      }
      // A short first page may not fill the pane: keep paging until it scrolls or ends.
      this.maybeLoadMore();
    });
  }

  protected onSearch(value: string): void {
    this.searchText.set(value);
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.store.setQuery(value), SEARCH_DEBOUNCE_MS);
  }

  protected clearSearch(): void {
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchText.set('');
    this.store.setQuery('');
  }

  /** Start a conversation with the number typed in the search. */
  protected startWithTyped(): void {
    const typed = this.searchText();
    if (!this.typedNumber()) return;
    // Apply a pending search now: the list behind the flow shows what matches the number.
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.store.setQuery(typed);
    this.store.openNewConversation(typed.trim());
  }

  protected newChat(): void {
    this.store.openNewConversation();
  }

  protected open(id: string): void {
    void this.store.openThread(id);
  }

  protected onScroll(): void {
    this.maybeLoadMore();
  }

  protected focusFirst(event: Event): void {
    event.preventDefault();
    const first = this.scroller().nativeElement.querySelector<HTMLElement>('[data-testid="thread-item"]');
    first?.focus();
  }

  /** ↑/↓ (with or without Alt) move the selection; Home/End jump to the ends. */
  protected onListKey(event: KeyboardEvent): void {
    if (event.ctrlKey || event.metaKey) return;
    let delta = 0;
    if (event.key === 'ArrowUp') delta = -1;
    else if (event.key === 'ArrowDown') delta = 1;
    else if (event.key === 'Home') delta = -Infinity;
    else if (event.key === 'End') delta = Infinity;
    if (delta === 0) return;
    event.preventDefault();
    event.stopPropagation(); // the inbox's global Alt+↑/↓ handler must not move it twice
    const list = this.threads();
    if (list.length === 0) return;
    const before = this.store.selectedId();
    let target: string | null;
    if (!Number.isFinite(delta)) {
      target = (delta < 0 ? list[0] : list[list.length - 1]).id;
      if (target !== before) void this.store.openThread(target);
    } else {
      target = this.store.selectRelative(delta);
    }
    // Focus follows the selection once the row re-renders.
    this.focusPending = target !== null && target !== before;
  }

  private maybeLoadMore(): void {
    const el = this.scroller().nativeElement;
    const state = this.state();
    if (!state.nextCursor || state.loading || state.loadingMore) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < LOAD_MORE_THRESHOLD) void this.store.loadMoreThreads();
  }
}
