import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  Injector,
  afterNextRender,
  computed,
  inject,
  input,
  linkedSignal,
  output,
  signal,
} from '@angular/core';
import {
  PROVIDER_CATALOG,
  PROVIDER_KINDS,
  catalogEntry,
  type ChannelView,
  type ConnectionTestView,
  type ProviderField,
  type ProviderKind,
} from '@switchboard/contracts';

import { NAME_KEY, fieldOfServerMessage, initialValues, toDraft, validate, type ChannelDraft, type FormValues } from './channel-form.model';
import { TestResult } from './test-result.component';

/**
 * Add or edit a channel. The provider's fields are rendered from PROVIDER_CATALOG (secrets as
 * password inputs, required ones marked, help shown); nothing here knows a provider. In an edit
 * the provider is fixed, a blank secret keeps the stored one, and an optional secret can be cleared.
 * Presentational: the page runs the requests and passes back busy / error / test result.
 */
@Component({
  selector: 'sb-channel-form',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [TestResult],
  host: { 'data-testid': 'channel-form', '[attr.data-mode]': 'channel() ? "edit" : "add"', '(keydown.escape)': 'cancel.emit()' },
  templateUrl: './channel-form.component.html',
  styleUrl: './channel-form.component.css',
})
export class ChannelForm {
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private readonly injector = inject(Injector);

  /** The channel being edited; null to add one. */
  readonly channel = input<ChannelView | null>(null);
  readonly busy = input<'save' | 'test' | null>(null);
  /** The server's refusal of the last save or test. */
  readonly error = input<string | null>(null);
  readonly testResult = input<ConnectionTestView | null>(null);

  readonly save = output<ChannelDraft>();
  readonly test = output<ChannelDraft>();
  readonly cancel = output<void>();
  /** Another provider was chosen: the last answer no longer applies. */
  readonly providerChanged = output<void>();

  protected readonly catalog = PROVIDER_CATALOG;
  protected readonly nameKey = NAME_KEY;
  protected readonly idPrefix = computed(() => (this.channel() ? `edit-${this.channel()!.id}` : 'add-channel'));

  protected readonly provider = linkedSignal<ChannelView | null, ProviderKind | ''>({
    source: this.channel,
    computation: (ch, prev) => ch?.provider ?? prev?.value ?? '',
  });
  protected readonly entry = computed(() => (this.provider() ? catalogEntry(this.provider() as ProviderKind) : null));

  /** Reset when another channel or provider is chosen, never by a live update of the same channel. */
  protected readonly values = linkedSignal<{ id: string | null; kind: ProviderKind | '' }, FormValues>({
    source: () => ({ id: this.channel()?.id ?? null, kind: this.provider() }),
    computation: (src, prev) => {
      if (prev && prev.source.id === src.id && prev.source.kind === src.kind) return prev.value;
      const fresh = initialValues(this.entry(), this.channel());
      // Switching provider in an add form keeps the name already typed.
      if (prev && !src.id && prev.value[NAME_KEY]) fresh[NAME_KEY] = prev.value[NAME_KEY];
      return fresh;
    },
  });
  /** Optional secrets the admin chose to erase (edit). */
  protected readonly cleared = signal<ReadonlySet<string>>(new Set());
  /** Errors show once the admin tried to save or test, then follow the typing. */
  private readonly attempted = signal(false);

  private readonly errors = computed(() => {
    const entry = this.entry();
    return entry ? validate(entry, this.values(), !!this.channel()) : {};
  });
  protected readonly providerError = computed(() => (this.attempted() && !this.provider() ? 'Choose a provider.' : null));
  /** The field the server's message names, to show it there too. */
  protected readonly serverField = computed(() => fieldOfServerMessage(this.error()));

  protected fieldError(key: string): string | null {
    if (this.attempted() && this.errors()[key]) return this.errors()[key];
    if (this.serverField() === key) return this.error();
    return null;
  }

  protected inputId(key: string): string {
    return `${this.idPrefix()}-${key}`;
  }

  /** What the help line under a field says (catalog help, plus the stored secret in an edit). */
  protected storedSecret(f: ProviderField): string | null {
    return f.secret ? (this.channel()?.secrets[f.key] ?? null) : null;
  }

  protected placeholder(f: ProviderField): string {
    const stored = this.storedSecret(f);
    if (stored) return this.cleared().has(f.key) ? 'Will be cleared' : 'Leave blank to keep the stored value';
    return f.placeholder ?? '';
  }

  protected onProvider(value: string): void {
    this.provider.set((PROVIDER_KINDS as readonly string[]).includes(value) ? (value as ProviderKind) : '');
    this.cleared.set(new Set());
    this.providerChanged.emit();
  }

  protected onInput(key: string, value: string): void {
    this.values.update((v) => ({ ...v, [key]: value }));
  }

  protected toggleClear(key: string, clear: boolean): void {
    this.cleared.update((s) => {
      const next = new Set(s);
      if (clear) next.add(key);
      else next.delete(key);
      return next;
    });
    if (clear) this.onInput(key, '');
  }

  protected submit(kind: 'save' | 'test'): void {
    this.attempted.set(true);
    const entry = this.entry();
    if (!entry || Object.keys(this.errors()).length > 0) {
      this.focusFirstInvalid();
      return;
    }
    const draft = toDraft(entry, this.values(), this.channel(), this.cleared());
    if (kind === 'save') this.save.emit(draft);
    else this.test.emit(draft);
  }

  private focusFirstInvalid(): void {
    afterNextRender(() => this.host.nativeElement.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), {
      injector: this.injector,
    });
  }
}
