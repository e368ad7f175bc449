import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  input,
  linkedSignal,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { catalogEntry, type ChannelView, type StartThreadRequest } from '@switchboard/contracts';

import { Avatar } from '../../shared/avatar.component';
import { typedPhoneNumber } from '../../shared/phone-format';
import { TemplatePicker, type TemplateChoice } from '../chat/template-picker.component';
import type { NewConversationFlow } from '../conversation-starter';
import { InboxStore } from '../inbox.store';

const MAX_BODY_HEIGHT_PX = 144; // keep in sync with .input max-height

/** The channel a new conversation goes out on unless the agent picks another: the first connected one. */
function defaultChannel(channels: readonly ChannelView[]): ChannelView | null {
  return channels.find((c) => c.state === 'connected') ?? channels[0] ?? null;
}

/**
 * Start a conversation: a number typed in any format (the server parses it with the tenant's
 * default country), a channel when there is a choice, and the first message. On success the store
 * opens the thread, so this view gives way to the normal chat pane and its live ticks.
 */
@Component({
  selector: 'sb-new-conversation',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Avatar, TemplatePicker],
  host: { 'data-testid': 'new-conversation', '(keydown.escape)': 'cancel()' },
  templateUrl: './new-conversation.component.html',
  styleUrl: './new-conversation.component.css',
})
export class NewConversation {
  protected readonly store = inject(InboxStore);

  readonly flow = input.required<NewConversationFlow>();

  protected readonly channels = computed(() => [...this.store.channels().values()]);
  /** The agent's pick while it still exists, else the default (channels may load after opening). */
  protected readonly channelId = linkedSignal<readonly ChannelView[], string | null>({
    source: this.channels,
    computation: (list, previous) =>
      previous && list.some((c) => c.id === previous.value) ? previous.value : (defaultChannel(list)?.id ?? null),
  });
  /** The number field; reset when the flow is reopened with another number. */
  protected readonly to = linkedSignal(() => this.flow().to);
  protected readonly body = signal('');
  protected readonly sending = signal(false);
  /** The server's refusal (invalid number, unknown channel), shown under the number; a new flow starts clean. */
  protected readonly error = linkedSignal<NewConversationFlow, string | null>({ source: this.flow, computation: () => null });
  protected readonly preview = computed(() => typedPhoneNumber(this.to()));
  protected readonly channel = computed(() => this.channels().find((c) => c.id === this.channelId()) ?? null);
  /**
   * WhatsApp Cloud API: a conversation the business opens must start with an approved template
   * (no customer message, so no 24-hour window); free text is still offered in case the customer
   * wrote in the last 24 hours, and the server answers window_closed otherwise.
   */
  protected readonly templatesAvailable = computed(() => {
    const c = this.channel();
    return !!c && !!catalogEntry(c.provider).templates;
  });
  protected readonly pickerOpen = signal(false);
  protected readonly canPickTemplate = computed(() => !this.sending() && this.to().trim().length > 0 && this.channelId() !== null);
  /** Whether the number is valid is the server's call (national formats, default country). */
  protected readonly canSend = computed(
    () => !this.sending() && this.to().trim().length > 0 && this.body().trim().length > 0 && this.channelId() !== null,
  );

  private readonly numberField = viewChild.required<ElementRef<HTMLInputElement>>('number');
  private readonly bodyField = viewChild.required<ElementRef<HTMLTextAreaElement>>('box');
  /**
   * The clientMessageId of the last attempt and what it carried. Retrying the same thing reuses it,
   * so a POST that landed before the connection dropped is not sent twice.
   */
  private attempt: { key: string; clientMessageId: string } | null = null;

  constructor() {
    // Opened (or reopened with another number): focus where the agent types next.
    afterRenderEffect(() => {
      const prefilled = this.flow().to.trim().length > 0;
      untracked(() => (prefilled ? this.bodyField() : this.numberField()).nativeElement.focus({ preventScroll: true }));
    });
  }

  protected onNumber(value: string): void {
    this.to.set(value);
    this.error.set(null);
  }

  protected onChannel(id: string): void {
    this.channelId.set(id);
    this.error.set(null);
  }

  protected onBody(value: string): void {
    this.body.set(value);
    this.autosize();
  }

  /** Enter in the number moves on to the message. */
  protected onNumberEnter(event: Event): void {
    event.preventDefault();
    this.bodyField().nativeElement.focus();
  }

  /** As in the composer: Enter sends, Shift+Enter adds a line. */
  protected onBodyKey(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    void this.send();
  }

  protected async send(): Promise<void> {
    if (!this.canSend()) return;
    await this.start({ body: this.body().replace(/\s+$/, '') });
  }

  protected async sendTemplate(choice: TemplateChoice): Promise<void> {
    this.pickerOpen.set(false);
    if (!this.canPickTemplate()) return;
    await this.start({ template: choice.template });
  }

  /** POST the first message (text or template) with the attempt's clientMessageId. */
  private async start(content: Pick<StartThreadRequest, 'body' | 'template'>): Promise<void> {
    const channelId = this.channelId();
    if (!channelId) return;
    const to = this.to().trim();
    const key = JSON.stringify([channelId, to, content]);
    if (this.attempt?.key !== key) this.attempt = { key, clientMessageId: crypto.randomUUID() };
    this.sending.set(true);
    this.error.set(null);
    const outcome = await this.store.startConversation({ channelId, to, ...content, clientMessageId: this.attempt.clientMessageId });
    this.sending.set(false);
    // 'started': the store opened the thread and this view is gone. 'failed' was toasted; the
    // form stays as it is for a retry.
    if (outcome.kind === 'rejected') {
      this.error.set(outcome.message);
      this.numberField().nativeElement.focus();
    }
  }

  protected cancel(): void {
    this.store.cancelNewConversation();
  }

  private autosize(): void {
    const el = this.bodyField().nativeElement;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight + 2, MAX_BODY_HEIGHT_PX)}px`;
  }
}
