import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { MessageStatus } from '@switchboard/contracts';

import { Ticks } from '../shared/ticks.component';
import type { LoopTrack } from './settings.types';

const STEPS: { status: MessageStatus; label: string }[] = [
  { status: 'pending', label: 'Sending' },
  { status: 'sent', label: 'Sent' },
  { status: 'delivered', label: 'Delivered' },
  { status: 'read', label: 'Read' },
];
const RANK: Partial<Record<MessageStatus, number>> = { pending: 0, sent: 1, delivered: 2, read: 3, played: 3 };

interface StepRow {
  status: MessageStatus;
  label: string;
  reached: boolean;
  /** "+1.4 s · 14:02:31" when this page saw it; null when it was skipped or not reached. */
  when: string | null;
}

function clock(at: number): string {
  return new Date(at).toLocaleTimeString('en-GB', { hour12: false });
}

/** The test message's way to the phone: sending → sent → delivered → read, each with when it arrived, or why it failed. */
@Component({
  selector: 'sb-loop-ticks',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Ticks],
  host: { 'data-testid': 'loop-ticks', '[attr.data-status]': 'loop().status' },
  template: `
    <p class="head">
      Test message to <strong>{{ loop().to }}</strong>
    </p>
    <ol class="steps">
      @for (s of rows(); track s.status) {
        <li
          class="step"
          [class.step--reached]="s.reached"
          data-testid="loop-step"
          [attr.data-step]="s.status"
          [attr.data-reached]="s.reached"
        >
          <sb-ticks [status]="s.status" />
          <span class="label">{{ s.label }}</span>
          <span class="when">{{ s.when ?? (s.reached ? '—' : 'waiting…') }}</span>
        </li>
      }
    </ol>
    @if (loop().status === 'failed') {
      <p class="failed" role="alert" data-testid="loop-error">
        Not sent{{ loop().error ? ': ' + loop().error!.message : '.' }}
        @if (loop().error?.providerCode) {
          <span class="code">({{ loop().error!.providerCode }})</span>
        }
      </p>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .head {
      margin: 0 0 6px;
    }
    .steps {
      display: flex;
      flex-wrap: wrap;
      gap: 6px 18px;
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .step {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      color: var(--sb-text-3);
      opacity: 0.6;
    }
    .step--reached {
      color: var(--sb-text);
      opacity: 1;
    }
    .label {
      font-weight: 500;
    }
    .when {
      font-size: 12px;
      color: var(--sb-text-3);
      font-variant-numeric: tabular-nums;
    }
    .failed {
      margin: 8px 0 0;
      color: var(--sb-danger);
      font-weight: 500;
    }
    .code {
      font-weight: 400;
      color: var(--sb-text-3);
    }
  `,
})
export class LoopTicks {
  readonly loop = input.required<LoopTrack>();

  protected readonly rows = computed<StepRow[]>(() => {
    const loop = this.loop();
    const rank = RANK[loop.status] ?? (loop.steps.some((s) => s.status === 'sent') ? 1 : 0);
    return STEPS.map(({ status, label }) => {
      const seen = loop.steps.find((s) => s.status === status || (status === 'read' && s.status === 'played'));
      const elapsed = seen ? `+${((seen.at - loop.startedAt) / 1000).toFixed(1)} s · ${clock(seen.at)}` : null;
      return { status, label, reached: (RANK[status] ?? 0) <= rank, when: elapsed };
    });
  });
}
