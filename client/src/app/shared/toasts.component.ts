import { ChangeDetectionStrategy, Component, inject } from '@angular/core';

import { ToastService } from './toast.service';

@Component({
  selector: 'sb-toasts',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="toasts" role="status" aria-live="polite">
      @for (toast of toasts.toasts(); track toast.id) {
        <div class="toast" [class.toast--error]="toast.kind === 'error'" data-testid="toast">
          <span class="toast__text">{{ toast.text }}</span>
          <button type="button" class="toast__close" aria-label="Dismiss" (click)="toasts.dismiss(toast.id)">×</button>
        </div>
      }
    </div>
  `,
  styles: `
    .toasts {
      position: fixed;
      bottom: 20px;
      left: 50%;
      transform: translateX(-50%);
      display: flex;
      flex-direction: column;
      gap: 8px;
      z-index: 50;
      pointer-events: none;
    }
    .toast {
      pointer-events: auto;
      display: flex;
      align-items: center;
      gap: 12px;
      max-width: min(520px, 90vw);
      padding: 10px 12px 10px 16px;
      border-radius: 8px;
      background: #233138;
      color: #e9edef;
      font-size: 14px;
      box-shadow: 0 6px 24px rgb(11 20 26 / 0.25);
      animation: toast-in 0.16s ease-out;
    }
    .toast--error {
      border-left: 4px solid #f15c6d;
    }
    .toast__text {
      flex: 1;
    }
    .toast__close {
      border: 0;
      background: none;
      color: inherit;
      font-size: 18px;
      line-height: 1;
      cursor: pointer;
      opacity: 0.7;
      padding: 2px 6px;
    }
    .toast__close:hover {
      opacity: 1;
    }
    @keyframes toast-in {
      from {
        opacity: 0;
        transform: translateY(6px);
      }
    }
  `,
})
export class Toasts {
  protected readonly toasts = inject(ToastService);
}
