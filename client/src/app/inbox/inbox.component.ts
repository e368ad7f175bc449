import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, signal } from '@angular/core';

import { ChatPane } from './chat/chat-pane.component';
import { ContactRail } from './contact-rail/contact-rail.component';
import { InboxStore } from './inbox.store';
import { NewConversation } from './new-conversation/new-conversation.component';
import { ThreadList } from './thread-list/thread-list.component';

const WIDE_QUERY = '(min-width: 1200px)';
const HASH_PREFIX = '#/t/';

function threadIdFromHash(): string | null {
  const hash = window.location.hash;
  if (!hash.startsWith(HASH_PREFIX)) return null;
  const id = decodeURIComponent(hash.slice(HASH_PREFIX.length));
  return id || null;
}

/** Three panes filling the viewport: thread list | chat | contact rail (collapsible). */
@Component({
  selector: 'sb-inbox',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ThreadList, ChatPane, ContactRail, NewConversation],
  host: {
    class: 'inbox',
    '[class.inbox--thread-open]': 'store.selectedId() !== null',
    '[class.inbox--composing]': 'store.newConversation() !== null',
    '[class.inbox--rail-open]': 'railVisible()',
    '[class.inbox--wide]': 'wide()',
    '(document:keydown)': 'onGlobalKey($event)',
  },
  template: `
    <aside class="pane pane--list" aria-label="Conversations">
      <sb-thread-list />
    </aside>
    <main class="pane pane--chat">
      @if (store.newConversation(); as flow) {
        <sb-new-conversation [flow]="flow" />
      } @else {
        <sb-chat-pane [railOpen]="railVisible()" (toggleRail)="toggleRail()" (back)="store.closeThread()" />
      }
    </main>
    @if (store.selectedThread(); as thread) {
      <aside class="pane pane--rail" aria-label="Contact details" [attr.aria-hidden]="!railVisible()">
        <sb-contact-rail [thread]="thread" [channel]="store.selectedChannel()" (close)="toggleRail()" />
      </aside>
      @if (railVisible() && !wide()) {
        <div class="scrim" (click)="toggleRail()" aria-hidden="true"></div>
      }
    }
  `,
  styles: `
    :host {
      position: relative;
      display: grid;
      grid-template-columns: var(--sb-list-width) minmax(0, 1fr);
      height: 100%;
      max-width: 1800px;
      margin: 0 auto;
      background: var(--sb-panel);
      box-shadow: 0 1px 3px rgb(11 20 26 / 0.12);
      overflow: hidden;
    }
    :host(.inbox--wide.inbox--rail-open.inbox--thread-open) {
      grid-template-columns: var(--sb-list-width) minmax(0, 1fr) var(--sb-rail-width);
    }
    .pane {
      min-width: 0;
      min-height: 0;
      height: 100%;
      overflow: hidden;
    }
    .pane--list {
      border-right: 1px solid var(--sb-border-strong);
      display: flex;
      flex-direction: column;
    }
    .pane--chat {
      display: flex;
      flex-direction: column;
    }
    .pane--rail {
      display: none;
      border-left: 1px solid var(--sb-border-strong);
      background: var(--sb-panel);
    }
    :host(.inbox--rail-open) .pane--rail {
      display: block;
    }
    /* Narrow screens: the rail slides over the chat as a drawer. */
    :host(:not(.inbox--wide)) .pane--rail {
      position: absolute;
      top: 0;
      right: 0;
      bottom: 0;
      width: min(var(--sb-rail-width), 100%);
      z-index: 20;
      box-shadow: -8px 0 24px rgb(11 20 26 / 0.12);
    }
    .scrim {
      position: absolute;
      inset: 0;
      z-index: 15;
      background: rgb(11 20 26 / 0.18);
    }
    /* Phones: one pane at a time. */
    @media (max-width: 760px) {
      :host {
        grid-template-columns: minmax(0, 1fr);
      }
      :host(.inbox--thread-open) .pane--list,
      :host(.inbox--composing) .pane--list {
        display: none;
      }
      :host(:not(.inbox--thread-open):not(.inbox--composing)) .pane--chat {
        display: none;
      }
    }
  `,
})
export class Inbox {
  protected readonly store = inject(InboxStore);

  private readonly wideSignal = signal(true);
  protected readonly wide = this.wideSignal.asReadonly();
  /** null = automatic (open on wide screens, closed on narrow ones). */
  private readonly railChoice = signal<boolean | null>(null);
  protected readonly railVisible = computed(() => this.railChoice() ?? this.wide());

  constructor() {
    const mql = window.matchMedia(WIDE_QUERY);
    this.wideSignal.set(mql.matches);
    const onChange = (e: MediaQueryListEvent) => {
      this.wideSignal.set(e.matches);
      this.railChoice.set(null);
    };
    mql.addEventListener('change', onChange);

    const onHash = () => {
      const id = threadIdFromHash();
      if (id && id !== this.store.selectedId()) void this.store.openThread(id);
    };
    window.addEventListener('hashchange', onHash);
    inject(DestroyRef).onDestroy(() => {
      mql.removeEventListener('change', onChange);
      window.removeEventListener('hashchange', onHash);
    });

    // Keep the open conversation in the URL so a reload returns to it.
    effect(() => {
      const id = this.store.selectedId();
      const hash = id ? HASH_PREFIX + encodeURIComponent(id) : '';
      if (window.location.hash !== hash) {
        history.replaceState(null, '', hash || window.location.pathname + window.location.search);
      }
    });

    void this.store.init(threadIdFromHash());
  }

  protected toggleRail(): void {
    this.railChoice.set(!this.railVisible());
  }

  /** Alt+↑ / Alt+↓ switch conversations from anywhere (also from the composer); Esc closes the rail drawer. */
  protected onGlobalKey(event: KeyboardEvent): void {
    if (event.altKey && !event.ctrlKey && !event.metaKey && (event.key === 'ArrowUp' || event.key === 'ArrowDown')) {
      event.preventDefault();
      this.store.selectRelative(event.key === 'ArrowUp' ? -1 : 1);
      return;
    }
    if (event.key === 'Escape' && this.railVisible() && !this.wide()) {
      this.railChoice.set(false);
    }
  }
}
