import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { catalogEntry, type ChannelView } from '@switchboard/contracts';

import { formatAddress } from '../shared/phone-format';
import { LoopTicks } from './loop-ticks.component';
import { EMPTY_PANEL, type ActionState, type ChannelAction, type ChannelPanel, type HistorySyncView } from './settings.types';
import { StateBadge } from './state-badge.component';
import { TestResult } from './test-result.component';

/** What each state means for the admin, in words (connected needs none). */
const STATE_HELP: Partial<Record<ChannelView['state'], string>> = {
  connecting: 'The gateway is connecting to WhatsApp. This usually takes a few seconds.',
  qr_required: 'The gateway is waiting for the business phone to be linked, but sent no QR code: open its dashboard to scan it there.',
  disconnected: 'The provider answered, but this account is not connected. Open the gateway, start the session, then test again.',
  needs_reauth:
    'Needs re-authentication: the provider no longer accepts our credentials (an expired token, a changed key, or the WhatsApp ' +
    'session was logged out on the phone). Edit the channel to enter fresh credentials, or re-link the phone, then run Test connection.',
  refused: 'The provider refused the connection. Check the base URL and the API key, then test again.',
  unknown: 'Not tested yet. Run Test connection to check it.',
};

const SYNC_DAYS = [7, 30, 90];

/** One channel: its state (live), pairing QR, callback URL, settings with masked secrets, and its admin actions. */
@Component({
  selector: 'sb-channel-card',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, StateBadge, TestResult, LoopTicks],
  host: { 'data-testid': 'channel-card', '[attr.data-channel-id]': 'channel().id', '[attr.data-provider]': 'channel().provider' },
  templateUrl: './channel-card.component.html',
  styleUrl: './channel-card.component.css',
})
export class ChannelCard {
  readonly channel = input.required<ChannelView>();
  readonly panel = input<ChannelPanel>(EMPTY_PANEL);
  readonly historySync = input<HistorySyncView | null>(null);

  readonly testConnection = output<void>();
  readonly registerWebhook = output<void>();
  readonly sendTest = output<string>();
  readonly syncHistory = output<number>();
  readonly refreshTemplates = output<void>();
  readonly edit = output<void>();

  protected readonly syncDays = SYNC_DAYS;
  protected readonly entry = computed(() => catalogEntry(this.channel().provider));
  protected readonly ownNumber = computed(() => {
    const a = this.channel().address;
    return a ? formatAddress(a) : null;
  });
  protected readonly showQr = computed(() => this.channel().state === 'qr_required' && !!this.channel().qr);
  /** A waiting QR is explained by its own box; a channel that needs the admin is told so. */
  protected readonly stateHelp = computed(() => {
    const c = this.channel();
    if (this.showQr()) return null;
    if (c.needsReauth && c.state !== 'qr_required') return STATE_HELP.needs_reauth!;
    return STATE_HELP[c.state] ?? null;
  });
  /** Red for what is broken; grey for waiting or untested. */
  protected readonly stateIsBad = computed(() => {
    const c = this.channel();
    return (
      c.state === 'needs_reauth' || c.state === 'refused' || c.state === 'disconnected' || (c.needsReauth && c.state !== 'qr_required')
    );
  });
  protected readonly qrIsImage = computed(() => this.channel().qr?.startsWith('data:') ?? false);
  protected readonly settings = computed(() =>
    this.entry()
      .fields.filter((f) => !f.secret)
      .map((f) => ({ key: f.key, label: f.label, value: this.channel().config[f.key] || null })),
  );
  protected readonly secrets = computed(() =>
    this.entry()
      .fields.filter((f) => f.secret)
      .map((f) => ({ key: f.key, label: f.label, value: this.channel().secrets[f.key] ?? null })),
  );
  protected readonly templateCount = computed(() => this.panel().templates?.items.length ?? null);

  /** The "Send test message" number prompt. */
  protected readonly askingNumber = signal(false);
  protected readonly loopTo = signal('');
  protected readonly days = signal(7);
  protected readonly copied = signal<'ok' | 'failed' | null>(null);
  private copiedTimer: ReturnType<typeof setTimeout> | null = null;

  protected action(name: ChannelAction): ActionState | null {
    return this.panel().actions[name] ?? null;
  }

  protected busy(name: ChannelAction): boolean {
    return this.panel().actions[name]?.busy ?? false;
  }

  protected submitLoop(): void {
    const to = this.loopTo().trim();
    if (!to) return;
    this.askingNumber.set(false);
    this.sendTest.emit(to);
  }

  protected async copyCallback(): Promise<void> {
    const text = this.channel().callbackUrl;
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      ok = copyWithSelection(text);
    }
    this.copied.set(ok ? 'ok' : 'failed');
    if (this.copiedTimer) clearTimeout(this.copiedTimer);
    this.copiedTimer = setTimeout(() => this.copied.set(null), 2500);
  }
}

/** Clipboard API unavailable (plain http on a LAN address): the old select-and-copy. */
function copyWithSelection(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
