import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterNextRender,
  computed,
  effect,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import type { TemplateListView, TemplateRef, TemplateView } from '@switchboard/contracts';

import { CommsApi, errorMessage } from '../../api/comms-api.service';
import { ClockService } from '../../shared/clock.service';
import { formatShortDate } from '../../shared/time-format';
import { parameterCount, parameterProblem, renderTemplate, templateRef, templateSegments } from './template-render';

/** What the picker hands back: the request's `template` and the text the customer will read. */
export interface TemplateChoice {
  template: TemplateRef;
  rendered: string;
}

/**
 * Pick one of the channel's approved WhatsApp templates, fill its `{{n}}` parameters while a
 * preview shows the message the customer will get, and send it. The only way to write to a
 * customer on Meta once the 24-hour window is closed.
 */
@Component({
  selector: 'sb-template-picker',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    role: 'dialog',
    'aria-modal': 'true',
    'aria-labelledby': 'template-picker-title',
    'data-testid': 'template-picker',
    '(keydown.escape)': 'close.emit()',
    '(click)': 'onBackdrop($event)',
  },
  templateUrl: './template-picker.component.html',
  styleUrl: './template-picker.component.css',
})
export class TemplatePicker {
  private readonly api = inject(CommsApi);
  private readonly clock = inject(ClockService);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  readonly channelId = input.required<string>();
  /** Prefills `{{1}}` (usually the contact's first name). */
  readonly firstParameter = input<string | null>(null);
  readonly send = output<TemplateChoice>();
  readonly close = output<void>();

  protected readonly list = signal<TemplateListView | null>(null);
  protected readonly loading = signal(false);
  protected readonly syncing = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly query = signal('');
  protected readonly selected = signal<TemplateView | null>(null);
  protected readonly values = signal<readonly string[]>([]);
  /** Show every field's problem once Send was tried (before that, only the ones touched). */
  protected readonly tried = signal(false);
  protected readonly touched = signal<ReadonlySet<number>>(new Set());

  protected readonly filtered = computed(() => {
    const q = this.query().trim().toLowerCase();
    const items = [...(this.list()?.items ?? [])].sort(
      (a, b) => Number(b.status === 'APPROVED') - Number(a.status === 'APPROVED') || a.name.localeCompare(b.name),
    );
    if (!q) return items;
    return items.filter((t) => [t.name, t.body, t.category, t.language].some((f) => f.toLowerCase().includes(q)));
  });

  protected readonly syncedLabel = computed(() => {
    const at = this.list()?.syncedAt;
    if (!at) return 'Never synced';
    const ms = this.clock.now() - Date.parse(at);
    if (ms < 60_000) return 'Synced just now';
    if (ms < 3_600_000) return `Synced ${Math.round(ms / 60_000)} min ago`;
    if (ms < 86_400_000) return `Synced ${Math.round(ms / 3_600_000)} h ago`;
    return `Synced ${formatShortDate(new Date(at))}`;
  });

  protected readonly segments = computed(() => {
    const t = this.selected();
    return t ? templateSegments(t.body, this.values()) : [];
  });
  protected readonly problems = computed(() => this.values().map(parameterProblem));
  protected readonly canSend = computed(() => this.selected() !== null && this.problems().every((p) => p === null));

  private readonly search = viewChild<ElementRef<HTMLInputElement>>('search');
  private readonly fields = viewChild<ElementRef<HTMLElement>>('fields');

  constructor() {
    effect(() => {
      const channelId = this.channelId();
      untracked(() => void this.load(channelId));
    });
    afterNextRender(() => this.search()?.nativeElement.focus());
  }

  /** A click on the dimmed area around the sheet closes the picker. */
  protected onBackdrop(event: MouseEvent): void {
    if (event.target === this.host.nativeElement) this.close.emit();
  }

  protected onQuery(value: string): void {
    this.query.set(value);
  }

  protected choose(t: TemplateView): void {
    if (t.status !== 'APPROVED') return;
    const count = parameterCount(t);
    const values = Array.from({ length: count }, (_, i) => (i === 0 ? (this.firstParameter() ?? '') : ''));
    this.selected.set(t);
    this.values.set(values);
    this.tried.set(false);
    this.touched.set(new Set());
    // Focus the first empty field (or Send when there is nothing to fill).
    setTimeout(() => {
      const root = this.fields()?.nativeElement;
      const empty = root?.querySelectorAll<HTMLInputElement>('input');
      const target = [...(empty ?? [])].find((el) => !el.value) ?? root?.querySelector<HTMLElement>('[data-testid="template-send"]');
      target?.focus();
    });
  }

  protected back(): void {
    this.selected.set(null);
    setTimeout(() => this.search()?.nativeElement.focus());
  }

  protected setValue(index: number, value: string): void {
    this.values.update((v) => v.map((x, i) => (i === index ? value : x)));
  }

  protected touch(index: number): void {
    this.touched.update((s) => new Set(s).add(index));
  }

  protected showProblem(index: number): string | null {
    return this.tried() || this.touched().has(index) ? this.problems()[index] : null;
  }

  protected submit(): void {
    this.tried.set(true);
    const t = this.selected();
    if (!t || !this.canSend()) return;
    const values = this.values().map((v) => v.trim());
    this.send.emit({ template: templateRef(t, values), rendered: renderTemplate(t.body, values) });
  }

  protected async refresh(): Promise<void> {
    if (this.syncing()) return;
    this.syncing.set(true);
    this.error.set(null);
    try {
      this.list.set(await this.api.syncTemplates(this.channelId()));
    } catch (err) {
      this.error.set(`Couldn't refresh from WhatsApp: ${errorMessage(err)}`);
    } finally {
      this.syncing.set(false);
    }
  }

  protected placeholder(index: number): string {
    return `{{${index + 1}}}`;
  }

  protected statusLabel(t: TemplateView): string {
    return t.status.charAt(0) + t.status.slice(1).toLowerCase();
  }

  private async load(channelId: string): Promise<void> {
    this.loading.set(true);
    this.error.set(null);
    try {
      const list = await this.api.listTemplates(channelId);
      if (channelId !== this.channelId()) return;
      this.list.set(list);
      // Never fetched from Meta yet: do it now rather than show an empty list.
      if (!list.syncedAt) await this.refresh();
    } catch (err) {
      this.error.set(errorMessage(err));
    } finally {
      this.loading.set(false);
    }
  }
}
