import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { MessageStatus } from '@switchboard/contracts';

const LABELS: Record<MessageStatus, string> = {
  pending: 'Sending',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  played: 'Played',
  failed: 'Not sent',
};

/** Delivery ticks: clock (pending), ✓ (sent), ✓✓ grey (delivered), ✓✓ blue (read/played), ⚠ (failed). */
@Component({
  selector: 'sb-ticks',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    'data-testid': 'ticks',
    role: 'img',
    '[attr.data-status]': 'status()',
    '[attr.aria-label]': 'label()',
    '[attr.title]': 'label()',
    '[class]': '"ticks ticks--" + status()',
  },
  template: `
    @switch (status()) {
      @case ('pending') {
        <svg viewBox="0 0 16 15" width="16" height="15" aria-hidden="true">
          <circle cx="8" cy="7.5" r="5.6" fill="none" stroke="currentColor" stroke-width="1.3" />
          <path d="M8 4.4v3.4l2.2 1.4" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linecap="round" />
        </svg>
      }
      @case ('sent') {
        <svg viewBox="0 0 16 15" width="16" height="15" aria-hidden="true">
          <path
            d="M3.2 8.1l3 3 6.6-7.4"
            fill="none"
            stroke="currentColor"
            stroke-width="1.5"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
      }
      @case ('failed') {
        <svg viewBox="0 0 16 15" width="16" height="15" aria-hidden="true">
          <path d="M8 1.6l6.6 11.6H1.4z" fill="currentColor" />
          <path d="M8 5.6v3.6" stroke="#fff" stroke-width="1.5" stroke-linecap="round" />
          <circle cx="8" cy="11.1" r=".85" fill="#fff" />
        </svg>
      }
      @default {
        <svg viewBox="0 0 18 15" width="18" height="15" aria-hidden="true">
          <path
            d="M1.6 8.1l3 3 6.6-7.4"
            fill="none"
            stroke="currentColor"
            stroke-width="1.5"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
          <path
            d="M7.6 10.6l.5.5 6.6-7.4"
            fill="none"
            stroke="currentColor"
            stroke-width="1.5"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
      }
    }
  `,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      line-height: 0;
      color: #74858f;
    }
    :host(.ticks--read),
    :host(.ticks--played) {
      color: #1686c9;
    }
    :host(.ticks--failed) {
      color: #d92d4a;
    }
  `,
})
export class Ticks {
  readonly status = input.required<MessageStatus>();
  protected readonly label = computed(() => LABELS[this.status()]);
}
