import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import type { ConnectionTestView } from '@switchboard/contracts';

/** A connection test's answer: overall verdict with latency, then each check with ✓/✗ and its detail. */
@Component({
  selector: 'sb-test-result',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-ok]': 'result().ok' },
  template: `
    @let r = result();
    <p class="verdict" [class.verdict--ok]="r.ok">
      {{ r.ok ? 'All checks passed' : 'Some checks failed' }}
      <span class="latency">in {{ r.latencyMs }} ms</span>
    </p>
    <ul class="checks">
      @for (c of r.checks; track $index) {
        <li class="check" [class.check--ok]="c.ok" data-testid="test-check" [attr.data-ok]="c.ok">
          <span class="mark" aria-hidden="true">{{ c.ok ? '✓' : '✗' }}</span>
          <span class="sr-only">{{ c.ok ? 'passed' : 'failed' }}:</span>
          <span class="name">{{ c.name }}</span>
          @if (c.detail) {
            <span class="detail">{{ c.detail }}</span>
          }
        </li>
      } @empty {
        <li class="check">No checks were reported.</li>
      }
    </ul>
  `,
  styles: `
    :host {
      display: block;
    }
    .verdict {
      margin: 0 0 6px;
      font-weight: 600;
      color: var(--sb-danger);
    }
    .verdict--ok {
      color: #0d6b35;
    }
    .latency {
      margin-left: 6px;
      font-weight: 400;
      color: var(--sb-text-3);
    }
    .checks {
      margin: 0;
      padding: 0;
      list-style: none;
    }
    .check {
      display: grid;
      grid-template-columns: 18px auto 1fr;
      gap: 6px;
      padding: 2px 0;
      align-items: baseline;
    }
    .mark {
      font-weight: 700;
      color: var(--sb-danger);
    }
    .check--ok .mark {
      color: #0d6b35;
    }
    .name {
      font-weight: 500;
    }
    .detail {
      color: var(--sb-text-2);
      overflow-wrap: anywhere;
    }
  `,
})
export class TestResult {
  readonly result = input.required<ConnectionTestView>();
}
