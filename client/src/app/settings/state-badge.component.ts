import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ChannelState } from '@switchboard/contracts';

export const STATE_LABELS: Record<ChannelState, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  qr_required: 'Waiting for QR scan',
  disconnected: 'Disconnected',
  needs_reauth: 'Needs re-authentication',
  refused: 'Refused',
  unknown: 'Unknown',
};

const TONES: Record<ChannelState, 'ok' | 'wait' | 'bad' | 'none'> = {
  connected: 'ok',
  connecting: 'wait',
  qr_required: 'wait',
  disconnected: 'bad',
  needs_reauth: 'bad',
  refused: 'bad',
  unknown: 'none',
};

/** A channel's connection state as a coloured pill: green ok, amber waiting, red broken, grey unknown. */
@Component({
  selector: 'sb-state-badge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    'data-testid': 'channel-state',
    role: 'status',
    '[attr.data-state]': 'state()',
    '[class]': '"badge badge--" + tone()',
  },
  template: `<span class="dot" aria-hidden="true"></span>{{ label() }}`,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      height: 24px;
      padding: 0 10px;
      border-radius: 12px;
      font-size: 12px;
      font-weight: 600;
      white-space: nowrap;
    }
    .dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: currentColor;
    }
    :host(.badge--ok) {
      background: #dcf8e4;
      color: #0d6b35;
    }
    :host(.badge--wait) {
      background: #fff1c2;
      color: #7a5300;
    }
    :host(.badge--bad) {
      background: #fde2e6;
      color: #b0203a;
    }
    :host(.badge--none) {
      background: #eceff1;
      color: #54656f;
    }
  `,
})
export class StateBadge {
  readonly state = input.required<ChannelState>();
  protected readonly label = computed(() => STATE_LABELS[this.state()] ?? this.state());
  protected readonly tone = computed(() => TONES[this.state()] ?? 'none');
}
