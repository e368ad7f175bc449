import { ChangeDetectionStrategy, Component, effect, inject } from '@angular/core';
import { Title } from '@angular/platform-browser';

import { Inbox } from './inbox/inbox.component';
import { InboxStore } from './inbox/inbox.store';
import { ConnectionBanner } from './realtime/connection-banner.component';
import { Toasts } from './shared/toasts.component';

@Component({
  selector: 'sb-root',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [ConnectionBanner, Inbox, Toasts],
  template: `
    <sb-connection-banner />
    <sb-inbox />
    <sb-toasts />
  `,
  styles: `
    :host {
      display: block;
      height: 100%;
    }
  `,
})
export class App {
  constructor() {
    const store = inject(InboxStore);
    const title = inject(Title);
    // Tab title carries the total unread count: "(3) Switchboard".
    effect(() => {
      const unread = store.totalUnread();
      title.setTitle(unread > 0 ? `(${unread}) Switchboard` : 'Switchboard');
    });
  }
}
