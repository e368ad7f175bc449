import { ChangeDetectionStrategy, Component, inject } from '@angular/core';

import { RealtimeService } from './realtime.service';

/**
 * Amber "Connection lost — reconnecting…" while the socket is down; green "Back online — caught up"
 * for a few seconds once the missed events are applied. Floats over the layout (no jump).
 */
@Component({
  selector: 'sb-connection-banner',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="banner-slot" aria-live="polite">
      @switch (realtime.banner()) {
        @case ('lost') {
          <div class="banner banner--lost" data-testid="connection-banner" data-state="lost" role="status">
            <span class="spinner" aria-hidden="true"></span>
            Connection lost — reconnecting…
          </div>
        }
        @case ('back') {
          <div class="banner banner--back" data-testid="connection-banner" data-state="back" role="status">
            <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
              <path
                d="M3 8.5l3 3 7-7.5"
                fill="none"
                stroke="currentColor"
                stroke-width="2"
                stroke-linecap="round"
                stroke-linejoin="round"
              />
            </svg>
            Back online — caught up
          </div>
        }
      }
    </div>
  `,
  styles: `
    .banner-slot {
      position: fixed;
      top: 104px;
      left: 50%;
      transform: translateX(-50%);
      z-index: 40;
      pointer-events: none;
    }
    .banner {
      display: inline-flex;
      align-items: center;
      gap: 8px;
      padding: 7px 16px;
      border-radius: 999px;
      font-size: 13px;
      font-weight: 500;
      white-space: nowrap;
      box-shadow: 0 2px 10px rgb(11 20 26 / 0.14);
      animation: banner-in 0.18s ease-out;
    }
    .banner--lost {
      background: #fff1c2;
      color: #6b4a00;
      border: 1px solid #f0d58a;
    }
    .banner--back {
      background: #dcf8e4;
      color: #0d5c2e;
      border: 1px solid #a8e2bb;
    }
    .spinner {
      width: 12px;
      height: 12px;
      border-radius: 50%;
      border: 2px solid currentColor;
      border-right-color: transparent;
      animation: spin 0.9s linear infinite;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
    @keyframes banner-in {
      from {
        opacity: 0;
        transform: translateY(-6px);
      }
    }
  `,
})
export class ConnectionBanner {
  protected readonly realtime = inject(RealtimeService);
}
