import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ThreadView } from '@switchboard/contracts';

import { Avatar } from '../../shared/avatar.component';
import { contactName, threadTitle } from '../../shared/thread-format';
import { formatFullTimestamp, formatListTime } from '../../shared/time-format';

/** One row of the thread list. The host is the `<button>` itself. */
@Component({
  selector: 'button[sbThreadItem]',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Avatar],
  host: {
    type: 'button',
    class: 'thread-item',
    'data-testid': 'thread-item',
    '[attr.data-thread-id]': 'thread().id',
    '[attr.data-unread]': 'thread().unreadCount',
    '[attr.aria-current]': 'selected() ? "true" : null',
    '[attr.aria-label]': 'ariaLabel()',
    '[class.thread-item--selected]': 'selected()',
    '[class.thread-item--unread]': 'unread()',
  },
  template: `
    <sb-avatar [name]="avatarName()" [seed]="thread().id" [size]="48" />
    <span class="body">
      <span class="line">
        <span class="name">{{ title() }}</span>
        <span class="time" [attr.title]="fullTime()">{{ time() }}</span>
      </span>
      <span class="line">
        <span class="preview">{{ thread().lastMessagePreview || 'No messages yet' }}</span>
        <span class="meta">
          @if (thread().starred) {
            <svg class="star" viewBox="0 0 24 24" width="14" height="14" aria-label="Starred" role="img">
              <path d="M12 3.2l2.7 5.5 6 .9-4.4 4.2 1 6-5.3-2.8-5.4 2.8 1-6L3.3 9.6l6-.9z" fill="currentColor" />
            </svg>
          }
          @if (unread()) {
            <span class="badge" data-testid="unread-badge">{{ badge() }}</span>
          }
        </span>
      </span>
    </span>
  `,
  styles: `
    :host {
      display: flex;
      align-items: center;
      gap: 12px;
      width: 100%;
      height: 72px;
      padding: 0 14px 0 12px;
      border: 0;
      background: var(--sb-panel);
      text-align: left;
      color: var(--sb-text);
      position: relative;
      transition: background-color 0.1s;
    }
    :host:hover {
      background: var(--sb-hover);
    }
    :host(.thread-item--selected) {
      background: var(--sb-selected);
    }
    :host(.thread-item--selected)::before {
      content: '';
      position: absolute;
      left: 0;
      top: 10px;
      bottom: 10px;
      width: 3px;
      border-radius: 0 3px 3px 0;
      background: var(--sb-accent);
    }
    :host:focus-visible {
      box-shadow: inset 0 0 0 2px var(--sb-accent);
    }
    .body {
      flex: 1;
      min-width: 0;
      height: 100%;
      display: flex;
      flex-direction: column;
      justify-content: center;
      gap: 3px;
      border-bottom: 1px solid var(--sb-border);
    }
    .line {
      display: flex;
      align-items: center;
      gap: 8px;
      min-width: 0;
    }
    .name {
      flex: 1;
      min-width: 0;
      font-size: 15.5px;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    :host(.thread-item--unread) .name {
      font-weight: 600;
    }
    .time {
      flex: none;
      font-size: 12px;
      color: var(--sb-text-3);
      font-variant-numeric: tabular-nums;
    }
    :host(.thread-item--unread) .time {
      color: #0c7d40;
      font-weight: 500;
    }
    .preview {
      flex: 1;
      min-width: 0;
      font-size: 13.5px;
      color: var(--sb-text-3);
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    :host(.thread-item--unread) .preview {
      color: var(--sb-text-2);
    }
    .meta {
      flex: none;
      display: inline-flex;
      align-items: center;
      gap: 6px;
      min-height: 20px;
    }
    .star {
      color: #8696a0;
    }
    .badge {
      min-width: 20px;
      height: 20px;
      padding: 0 6px;
      border-radius: 10px;
      background: var(--sb-unread);
      color: #07301a;
      font-size: 12px;
      font-weight: 700;
      line-height: 20px;
      text-align: center;
      font-variant-numeric: tabular-nums;
    }
  `,
})
export class ThreadItem {
  readonly thread = input.required<ThreadView>();
  readonly selected = input(false);
  /** Current time (coarse), so relative labels roll over. */
  readonly now = input.required<number>();

  protected readonly title = computed(() => threadTitle(this.thread()));
  protected readonly avatarName = computed(() => contactName(this.thread()));
  protected readonly unread = computed(() => this.thread().unreadCount > 0);
  protected readonly badge = computed(() => {
    const n = this.thread().unreadCount;
    return n > 99 ? '99+' : String(n);
  });
  protected readonly time = computed(() => formatListTime(this.thread().lastMessageAt, this.now()));
  protected readonly fullTime = computed(() => formatFullTimestamp(this.thread().lastMessageAt));
  protected readonly ariaLabel = computed(() => {
    const t = this.thread();
    const parts = [this.title()];
    if (t.unreadCount > 0) parts.push(`${t.unreadCount} unread`);
    if (t.starred) parts.push('starred');
    if (t.lastMessagePreview) parts.push(t.lastMessagePreview);
    return parts.join(', ');
  });
}
