import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import type { ChannelView, ProviderKind, ThreadView } from '@switchboard/contracts';

import { Avatar } from '../../shared/avatar.component';
import { formatAddress, isPhoneAddress } from '../../shared/phone-format';
import { contactName, threadTitle } from '../../shared/thread-format';
import { formatFullTimestamp } from '../../shared/time-format';

const PROVIDER_LABELS: Record<ProviderKind, string> = {
  mock: 'Mock (demo)',
  evolution: 'WhatsApp · Evolution API',
  waha: 'WhatsApp · WAHA',
  meta: 'WhatsApp Cloud API',
  twilio: 'SMS · Twilio',
  android_sms: 'SMS · Android phone',
};

const CHANNEL_STATES: Record<string, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  qr_required: 'Waiting for QR scan',
  needs_reauth: 'Needs re-authentication',
  disconnected: 'Disconnected',
  refused: 'Refused',
  unknown: 'Unknown',
};

/** Right-hand contact details: who this is, through which channel, and their other identities. */
@Component({
  selector: 'sb-contact-rail',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Avatar],
  template: `
    @let t = thread();
    <header class="head">
      <button type="button" class="icon-button" aria-label="Close contact details" (click)="close.emit()">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path d="M6.4 5L5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z" fill="currentColor" />
        </svg>
      </button>
      <h2 class="head__title">Contact info</h2>
    </header>

    <div class="scroll" data-testid="contact-rail">
      <section class="hero">
        <sb-avatar [name]="name()" [seed]="t.id" [size]="112" />
        <div class="hero__name">{{ title() }}</div>
        @if (phone(); as p) {
          <div class="hero__phone" data-testid="contact-phone">{{ p }}</div>
        }
        <div class="link-state" [class.link-state--linked]="linked()" data-testid="link-state">
          <span class="dot" aria-hidden="true"></span>
          {{ linked() ? 'Linked' : 'Unlinked' }}
        </div>
        <p class="hint">{{ linkHint() }}</p>
      </section>

      <section class="section">
        <h3 class="section__title">Channel</h3>
        @if (channel(); as ch) {
          <div class="field">
            <span class="field__value">{{ ch.name }}</span>
            <span class="field__sub">{{ providerLabel() }}</span>
            @if (ch.address) {
              <span class="field__sub">{{ formatAddress(ch.address) }}</span>
            }
            <span class="chip" [class.chip--ok]="ch.state === 'connected'">{{ channelState() }}</span>
          </div>
        } @else {
          <div class="field">
            <span class="field__value">{{ providerLabel() }}</span>
          </div>
        }
      </section>

      @if (aliases().length > 0) {
        <section class="section">
          <h3 class="section__title">Also known as</h3>
          <ul class="aliases" data-testid="contact-aliases">
            @for (alias of aliases(); track alias) {
              <li class="alias" [attr.title]="alias">{{ alias }}</li>
            }
          </ul>
        </section>
      }

      <section class="section">
        <h3 class="section__title">Conversation</h3>
        <dl class="facts">
          <dt>Status</dt>
          <dd class="cap">{{ t.status }}</dd>
          <dt>Address</dt>
          <dd class="mono">{{ t.address }}</dd>
          @if (t.lastInboundAt) {
            <dt>Last inbound</dt>
            <dd>{{ lastInbound() }}</dd>
          }
          <dt>Started</dt>
          <dd>{{ started() }}</dd>
        </dl>
        @if (t.contact?.optedOut) {
          <p class="warn">This contact opted out of messages.</p>
        }
      </section>
    </div>
  `,
  styles: `
    :host {
      display: flex;
      flex-direction: column;
      height: 100%;
      background: var(--sb-panel);
    }
    .head {
      display: flex;
      align-items: center;
      gap: 12px;
      height: 59px;
      padding: 0 12px;
      background: var(--sb-panel-header);
      border-bottom: 1px solid var(--sb-border);
      flex: none;
    }
    .head__title {
      margin: 0;
      font-size: 16px;
      font-weight: 500;
    }
    .scroll {
      flex: 1;
      min-height: 0;
      overflow-y: auto;
      background: #f7f8fa;
    }
    .hero {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 4px;
      padding: 28px 20px 20px;
      background: var(--sb-panel);
      text-align: center;
    }
    .hero sb-avatar {
      margin-bottom: 10px;
    }
    .hero__name {
      font-size: 19px;
      font-weight: 500;
      overflow-wrap: anywhere;
    }
    .hero__phone {
      font-size: 15px;
      color: var(--sb-text-3);
      font-variant-numeric: tabular-nums;
    }
    .link-state {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      margin-top: 10px;
      padding: 3px 10px;
      border-radius: 12px;
      background: #f3f0e4;
      color: #73600f;
      font-size: 12px;
      font-weight: 600;
    }
    .link-state--linked {
      background: #e2f6ec;
      color: #0d6b3a;
    }
    .dot {
      width: 7px;
      height: 7px;
      border-radius: 50%;
      background: currentColor;
    }
    .hint {
      margin: 6px 0 0;
      font-size: 12.5px;
      line-height: 1.45;
      color: var(--sb-text-3);
    }
    .section {
      margin-top: 8px;
      padding: 14px 20px 16px;
      background: var(--sb-panel);
    }
    .section__title {
      margin: 0 0 10px;
      font-size: 13px;
      font-weight: 500;
      color: var(--sb-text-3);
    }
    .field {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
      gap: 2px;
    }
    .field__value {
      font-size: 15px;
    }
    .field__sub {
      font-size: 13px;
      color: var(--sb-text-3);
    }
    .chip {
      margin-top: 6px;
      padding: 2px 8px;
      border-radius: 10px;
      background: #fdecef;
      color: #a3203a;
      font-size: 11.5px;
      font-weight: 600;
    }
    .chip--ok {
      background: #e2f6ec;
      color: #0d6b3a;
    }
    .aliases {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    .alias {
      padding: 5px 8px;
      border-radius: 6px;
      background: var(--sb-panel-header);
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12px;
      color: var(--sb-text-2);
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .facts {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 6px 14px;
      margin: 0;
      font-size: 13px;
    }
    .facts dt {
      color: var(--sb-text-3);
    }
    .facts dd {
      margin: 0;
      min-width: 0;
      overflow-wrap: anywhere;
    }
    .cap {
      text-transform: capitalize;
    }
    .mono {
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12px;
    }
    .warn {
      margin: 12px 0 0;
      padding: 8px 10px;
      border-radius: 6px;
      background: #fdecef;
      color: #a3203a;
      font-size: 12.5px;
    }
  `,
})
export class ContactRail {
  readonly thread = input.required<ThreadView>();
  readonly channel = input<ChannelView | null>(null);
  readonly close = output<void>();

  protected readonly formatAddress = formatAddress;
  protected readonly name = computed(() => contactName(this.thread()));
  protected readonly title = computed(() => threadTitle(this.thread()));
  protected readonly phone = computed(() => {
    const t = this.thread();
    const raw = t.contact?.phone ?? (isPhoneAddress(t.address) ? t.address : null);
    const formatted = raw ? formatAddress(raw) : null;
    return formatted && formatted !== this.title() ? formatted : null;
  });
  protected readonly aliases = computed(() => this.thread().contact?.aliases ?? []);
  /**
   * "Linked": the conversation is tied to a contact whose phone number is known, so the
   * WhatsApp identities (LID/BSUID) and the number resolve to one person.
   */
  protected readonly linked = computed(() => {
    const c = this.thread().contact;
    return !!c && !!c.phone;
  });
  protected readonly linkHint = computed(() => {
    const t = this.thread();
    if (!t.contact) return 'No contact record yet — replies still reach this address.';
    if (!t.contact.phone) {
      return 'Only a WhatsApp ID is known for this person; the phone number will be linked once it is shared.';
    }
    return t.contact.aliases.length > 0
      ? 'Phone number and WhatsApp IDs resolve to this contact.'
      : 'This conversation is linked to the contact’s phone number.';
  });
  protected readonly providerLabel = computed(() => {
    const ch = this.channel();
    return PROVIDER_LABELS[ch?.provider ?? this.thread().provider] ?? this.thread().provider;
  });
  protected readonly channelState = computed(() => {
    const ch = this.channel();
    if (!ch) return '';
    if (ch.needsReauth) return 'Needs re-linking';
    return CHANNEL_STATES[ch.state] ?? ch.state;
  });
  protected readonly lastInbound = computed(() => formatFullTimestamp(this.thread().lastInboundAt));
  protected readonly started = computed(() => formatFullTimestamp(this.thread().createdAt));
}
