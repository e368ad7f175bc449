import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  signal,
  viewChild,
} from '@angular/core';

import { RealtimeService } from '../../realtime/realtime.service';
import { ClockService } from '../../shared/clock.service';
import { InboxStore, type ThreadFilter } from '../inbox.store';
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
  template: `
    <header class="head">
      <h1 class="title">Chats</h1>
      <span
        class="live"
        [class.live--on]="realtime.connected()"
        [attr.title]="realtime.connected() ? 'Live' : 'Offline'"
        role="img"
        [attr.aria-label]="realtime.connected() ? 'Live updates on' : 'Live updates off'"
      ></span>
    </header>

    <div class="search">
      <svg class="search__icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path
          d="M10.5 4a6.5 6.5 0 0 1 5.2 10.4l4.4 4.4-1.3 1.3-4.4-4.4A6.5 6.5 0 1 1 10.5 4zm0 1.8a4.7 4.7 0 1 0 0 9.4 4.7 4.7 0 0 0 0-9.4z"
          fill="currentColor"
        />
      </svg>
      <input
        #searchInput
        class="search__input"
        type="search"
        placeholder="Search or start a new chat"
        aria-label="Search conversations"
        data-testid="thread-search"
        autocomplete="off"
        spellcheck="false"
        [value]="searchText()"
        (input)="onSearch(searchInput.value)"
        (keydown.escape)="clearSearch()"
        (keydown.arrowdown)="focusFirst($event)"
      />
      @if (searchText()) {
        <button type="button" class="search__clear" aria-label="Clear search" (click)="clearSearch()">×</button>
      }
    </div>

    <div class="chips" role="radiogroup" aria-label="Filter conversations">
      @for (chip of chips; track chip.value) {
        <button
          type="button"
          class="chip"
          role="radio"
          [attr.aria-checked]="store.filter() === chip.value"
          [attr.data-testid]="'filter-' + chip.value"
          (click)="store.setFilter(chip.value)"
        >
          {{ chip.label }}
        </button>
      }
    </div>

    <div
      #scroller
      class="list"
      role="list"
      data-testid="thread-list"
      [attr.aria-busy]="state().loading"
      (scroll)="onScroll()"
      (keydown)="onListKey($event)"
    >
      @if (state().loading && threads().length === 0) {
        @for (i of skeletons; track i) {
          <div class="skeleton" aria-hidden="true">
            <span class="skeleton__avatar"></span>
            <span class="skeleton__lines"><span></span><span></span></span>
          </div>
        }
      } @else {
        @for (thread of threads(); track thread.id) {
          <div role="listitem">
            <button
              sbThreadItem
              [thread]="thread"
              [selected]="thread.id === store.selectedId()"
              [now]="clock.now()"
              [attr.tabindex]="thread.id === focusableId() ? 0 : -1"
              (click)="open(thread.id)"
            ></button>
          </div>
        } @empty {
          <div class="empty" data-testid="thread-list-empty">
            @if (state().error) {
              <p>Couldn't load conversations.</p>
              <button type="button" class="link" (click)="store.loadThreads()">Try again</button>
            } @else if (store.query()) {
              <p>No conversations match “{{ store.query() }}”.</p>
            } @else if (store.filter() === 'unread') {
              <p>You're all caught up — no unread conversations.</p>
            } @else if (store.filter() === 'starred') {
              <p>No starred conversations yet.</p>
            } @else {
              <p>No conversations yet. New messages will appear here.</p>
            }
          </div>
        }
        @if (state().loadingMore) {
          <div class="more" aria-live="polite">Loading more…</div>
        }
      }
    </div>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      height: 100%;
      min-height: 0;
      background: var(--sb-panel);
    }
    .head {
      display: flex;
      align-items: center;
      gap: 10px;
      height: 59px;
      padding: 0 16px;
      background: var(--sb-panel);
      flex: none;
    }
    .title {
      margin: 0;
      font-size: 21px;
      font-weight: 700;
      letter-spacing: -0.01em;
    }
    .live {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: #c4c9cc;
      transition: background-color 0.2s;
    }
    .live--on {
      background: var(--sb-unread);
    }
    .search {
      position: relative;
      margin: 0 12px 8px;
      flex: none;
    }
    .search__icon {
      position: absolute;
      left: 12px;
      top: 50%;
      transform: translateY(-50%);
      color: var(--sb-text-3);
      pointer-events: none;
    }
    .search__input {
      width: 100%;
      height: 36px;
      padding: 0 32px 0 42px;
      border: 1px solid transparent;
      border-radius: 8px;
      background: var(--sb-panel-header);
      font-size: 14px;
      outline: none;
      transition:
        border-color 0.12s,
        background-color 0.12s;
    }
    .search__input::placeholder {
      color: var(--sb-text-3);
    }
    .search__input:focus {
      background: #fff;
      border-color: var(--sb-accent);
      box-shadow: none;
    }
    .search__input::-webkit-search-cancel-button {
      display: none;
    }
    .search__clear {
      position: absolute;
      right: 6px;
      top: 50%;
      transform: translateY(-50%);
      width: 24px;
      height: 24px;
      border: 0;
      border-radius: 50%;
      background: transparent;
      color: var(--sb-text-3);
      font-size: 18px;
      line-height: 1;
    }
    .search__clear:hover {
      background: rgb(11 20 26 / 0.06);
    }
    .chips {
      display: flex;
      gap: 8px;
      padding: 0 12px 8px;
      flex: none;
      border-bottom: 1px solid var(--sb-border);
    }
    .chip {
      height: 30px;
      padding: 0 12px;
      border: 0;
      border-radius: 15px;
      background: var(--sb-panel-header);
      color: var(--sb-text-2);
      font-size: 14px;
      transition:
        background-color 0.12s,
        color 0.12s;
    }
    .chip:hover {
      background: #e4e7ea;
    }
    .chip[aria-checked='true'] {
      background: #d9fdd3;
      color: #086d4f;
      font-weight: 500;
    }
    .list {
      flex: 1;
      min-height: 0;
      overflow-y: auto;
      overscroll-behavior: contain;
    }
    .empty {
      padding: 40px 28px;
      text-align: center;
      color: var(--sb-text-3);
      font-size: 14px;
    }
    .empty p {
      margin: 0 0 8px;
    }
    .link {
      border: 0;
      background: none;
      color: var(--sb-accent-strong);
      font-weight: 500;
      padding: 4px 8px;
      border-radius: 4px;
    }
    .more {
      padding: 14px;
      text-align: center;
      font-size: 13px;
      color: var(--sb-text-3);
    }
    .skeleton {
      display: flex;
      align-items: center;
      gap: 12px;
      height: 72px;
      padding: 0 14px 0 12px;
    }
    .skeleton__avatar {
      width: 48px;
      height: 48px;
      border-radius: 50%;
      background: #eef0f1;
      flex: none;
    }
    .skeleton__lines {
      flex: 1;
      display: flex;
      flex-direction: column;
      gap: 8px;
    }
    .skeleton__lines span {
      height: 10px;
      border-radius: 5px;
      background: #eef0f1;
      width: 70%;
    }
    .skeleton__lines span + span {
      width: 45%;
    }
  `,
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
  protected readonly searchText = signal('');
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
