import { ChangeDetectionStrategy, Component, effect, inject } from '@angular/core';
import { Title } from '@angular/platform-browser';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';

import { InboxStore } from './inbox/inbox.store';
import { ConnectionBanner } from './realtime/connection-banner.component';
import { Toasts } from './shared/toasts.component';

/** The shell: a slim top nav (Inbox, Settings) over the routed page, which fills the rest of the height. */
@Component({
  selector: 'sb-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ConnectionBanner, Toasts, RouterOutlet, RouterLink, RouterLinkActive],
  template: `
    <nav class="topnav" aria-label="Main">
      <span class="brand">Switchboard</span>
      <a
        class="topnav__link"
        routerLink="/"
        routerLinkActive="topnav__link--active"
        ariaCurrentWhenActive="page"
        data-testid="nav-inbox"
        [routerLinkActiveOptions]="{ exact: true }"
      >
        Inbox
        @if (store.totalUnread() > 0) {
          <span class="topnav__count" aria-label="unread">{{ store.totalUnread() }}</span>
        }
      </a>
      <a
        class="topnav__link"
        routerLink="/settings"
        routerLinkActive="topnav__link--active"
        ariaCurrentWhenActive="page"
        data-testid="nav-settings"
      >
        Settings
      </a>
    </nav>
    <sb-connection-banner />
    <div class="page">
      <router-outlet />
    </div>
    <sb-toasts />
  `,
  styles: `
    :host {
      display: grid;
      grid-template-rows: auto minmax(0, 1fr);
      height: 100%;
    }
    .topnav {
      display: flex;
      align-items: center;
      gap: 4px;
      height: 40px;
      padding: 0 12px;
      background: var(--sb-accent-strong);
      color: #fff;
    }
    .brand {
      margin-right: 14px;
      font-weight: 600;
      letter-spacing: 0.01em;
    }
    .topnav__link {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      height: 28px;
      padding: 0 12px;
      border-radius: 14px;
      color: rgb(255 255 255 / 0.86);
      text-decoration: none;
      font-weight: 500;
    }
    .topnav__link:hover {
      background: rgb(255 255 255 / 0.12);
      color: #fff;
    }
    .topnav__link--active {
      background: rgb(255 255 255 / 0.2);
      color: #fff;
    }
    .topnav__count {
      min-width: 18px;
      height: 18px;
      padding: 0 5px;
      border-radius: 9px;
      background: #fff;
      color: var(--sb-accent-strong);
      font-size: 11px;
      font-weight: 600;
      line-height: 18px;
      text-align: center;
    }
    /* Their content floats (position: fixed): keep their hosts out of the grid rows. */
    sb-connection-banner,
    sb-toasts {
      position: absolute;
    }
    .page {
      position: relative;
      min-height: 0;
      overflow: hidden;
    }
  `,
})
export class App {
  protected readonly store = inject(InboxStore);

  constructor() {
    const title = inject(Title);
    // Tab title carries the total unread count: "(3) Switchboard".
    effect(() => {
      const unread = this.store.totalUnread();
      title.setTitle(unread > 0 ? `(${unread}) Switchboard` : 'Switchboard');
    });
  }
}
