import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  input,
  linkedSignal,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { catalogEntry, serviceWindowOpen, type MessageView, type ThreadStatus } from '@switchboard/contracts';

import { Avatar } from '../../shared/avatar.component';
import { ClockService } from '../../shared/clock.service';
import { formatAddress } from '../../shared/phone-format';
import { contactName, threadTitle } from '../../shared/thread-format';
import { formatDayLabel, startOfDay } from '../../shared/time-format';
import { isLocalMessage, messageOrderKey } from '../inbox-merge';
import { InboxStore } from '../inbox.store';
import { Composer } from './composer.component';
import { MessageBubble } from './message-bubble.component';
import { TemplatePicker, type TemplateChoice } from './template-picker.component';
import { firstName } from './template-render';
import { UploadService } from './upload.service';

type Row = { kind: 'day'; key: string; label: string } | { kind: 'message'; key: string; message: MessageView; first: boolean };

/** Within this many px of the bottom counts as "at the bottom". */
const BOTTOM_SLACK = 48;
/** Start fetching older messages this close (px) to the top. */
const TOP_THRESHOLD = 240;

const STATUSES: readonly { value: ThreadStatus; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'pending', label: 'Pending' },
  { value: 'snoozed', label: 'Snoozed' },
  { value: 'resolved', label: 'Resolved' },
];

@Component({
  selector: 'sb-chat-pane',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [Avatar, Composer, MessageBubble, TemplatePicker],
  host: {
    '(dragenter)': 'onDragEnter($event)',
    '(dragover)': 'onDragOver($event)',
    '(dragleave)': 'onDragLeave()',
    '(drop)': 'onDrop($event)',
  },
  templateUrl: './chat-pane.component.html',
  styleUrl: './chat-pane.component.css',
})
export class ChatPane {
  protected readonly store = inject(InboxStore);
  private readonly clock = inject(ClockService);
  private readonly uploads = inject(UploadService);

  readonly railOpen = input(false);
  readonly toggleRail = output<void>();
  readonly back = output<void>();

  protected readonly statuses = STATUSES;
  protected readonly thread = this.store.selectedThread;
  protected readonly channel = this.store.selectedChannel;
  protected readonly page = this.store.selectedPage;
  protected readonly title = computed(() => {
    const t = this.thread();
    return t ? threadTitle(t) : '';
  });
  protected readonly avatarName = computed(() => {
    const t = this.thread();
    return t ? contactName(t) : null;
  });
  protected readonly subtitle = computed(() => {
    const t = this.thread();
    if (!t) return '';
    const parts: string[] = [];
    const number = formatAddress(t.contact?.phone ?? t.address);
    if (number !== this.title()) parts.push(number);
    const ch = this.channel();
    if (ch) parts.push(ch.name);
    return parts.join(' · ');
  });
  protected readonly channelDown = computed(() => {
    const ch = this.channel();
    return ch !== null && (ch.state === 'disconnected' || ch.state === 'refused' || ch.needsReauth);
  });

  /** Messages with day separators; `first` marks the start of a run from the same side. */
  protected readonly rows = computed<Row[]>(() => {
    const now = this.clock.now();
    const rows: Row[] = [];
    let lastDay = -1;
    let lastDirection: string | null = null;
    for (const m of this.store.selectedMessages()) {
      const at = messageOrderKey(m);
      const day = startOfDay(at);
      if (day !== lastDay) {
        rows.push({ kind: 'day', key: `day-${day}`, label: formatDayLabel(new Date(at), now) });
        lastDay = day;
        lastDirection = null;
      }
      rows.push({ kind: 'message', key: m.id, message: m, first: m.direction !== lastDirection });
      lastDirection = m.direction;
    }
    return rows;
  });

  /** Meta's 24-hour customer-service window: past it WhatsApp takes only approved templates. */
  protected readonly windowClosed = computed(() => {
    const t = this.thread();
    if (!t) return false;
    return !serviceWindowOpen(catalogEntry(t.provider), t.lastInboundAt, this.clock.now());
  });
  protected readonly contactLabel = computed(() => this.avatarName() ?? 'Contact');
  protected readonly newCount = signal(0);

  /** WhatsApp templates (Cloud API): the way to write once the window is closed. */
  protected readonly templatesAvailable = computed(() => {
    const t = this.thread();
    return !!t && !!catalogEntry(t.provider).templates;
  });
  /** The template picker, closed again whenever another conversation opens. */
  protected readonly pickerOpen = linkedSignal({ source: this.store.selectedId, computation: () => false });
  protected readonly firstParameter = computed(() => {
    const t = this.thread();
    return t ? firstName(t.contact?.name ?? t.displayName) : null;
  });
  /** Files are being dragged over the pane (the drop overlay shows). */
  protected readonly dragging = signal(false);
  private dragDepth = 0;

  private readonly scroller = viewChild<ElementRef<HTMLElement>>('scroller');
  private readonly content = viewChild<ElementRef<HTMLElement>>('content');

  private atBottom = true;
  /** Scroll geometry saved when an older page was requested, to keep the view still on prepend. */
  private anchor: { height: number; top: number } | null = null;
  private snapshot: {
    threadId: string | null;
    first?: string;
    last?: string;
    ids: Set<string>;
    loadingOlder?: boolean;
  } = { threadId: null, ids: new Set() };
  private resizeObserver: ResizeObserver | null = null;
  private observed: HTMLElement | null = null;
  private observedViewport: HTMLElement | null = null;

  constructor() {
    // Follow the bottom while the content grows (new messages, images, status lines) if pinned.
    this.resizeObserver = new ResizeObserver(() => {
      const el = this.scroller()?.nativeElement;
      if (el && this.atBottom && !this.anchor) el.scrollTop = el.scrollHeight;
    });
    inject(DestroyRef).onDestroy(() => this.resizeObserver?.disconnect());

    afterRenderEffect(() => {
      const threadId = this.store.selectedId();
      const messages = this.store.selectedMessages();
      const page = this.page();
      const el = this.scroller()?.nativeElement;
      const content = this.content()?.nativeElement ?? null;
      if (content !== this.observed) {
        if (this.observed) this.resizeObserver?.unobserve(this.observed);
        if (content) this.resizeObserver?.observe(content);
        this.observed = content;
      }
      // The viewport shrinks too (the attachment tray opening above the composer).
      const viewport = el ?? null;
      if (viewport !== this.observedViewport) {
        if (this.observedViewport) this.resizeObserver?.unobserve(this.observedViewport);
        if (viewport) this.resizeObserver?.observe(viewport);
        this.observedViewport = viewport;
      }
      if (!el) {
        this.snapshot = { threadId, ids: new Set() };
        return;
      }

      const first = messages[0]?.id;
      const last = messages[messages.length - 1]?.id;
      const prev = this.snapshot;

      if (threadId !== prev.threadId) {
        // Another conversation: start at the newest message.
        this.anchor = null;
        this.newCount.set(0);
        el.scrollTop = el.scrollHeight;
        this.atBottom = true;
      } else if (this.anchor && first === prev.first && prev.loadingOlder && !page.loadingOlder) {
        // The older page brought nothing new (or failed): drop the anchor.
        this.anchor = null;
      } else if (this.anchor && first !== prev.first) {
        // An older page was prepended: keep the same messages under the reader's eyes.
        el.scrollTop = el.scrollHeight - this.anchor.height + this.anchor.top;
        this.anchor = null;
        this.atBottom = this.isAtBottom(el);
      } else if (last !== prev.last) {
        const fresh = messages.filter((m) => !prev.ids.has(m.id));
        const mineJustSent = fresh.some((m) => isLocalMessage(m));
        if (this.atBottom || mineJustSent || prev.ids.size === 0) {
          el.scrollTop = el.scrollHeight;
          this.atBottom = true;
          this.newCount.set(0);
        } else {
          const incoming = fresh.filter((m) => m.direction !== 'outbound' || !m.clientMessageId).length;
          if (incoming > 0) this.newCount.update((n) => n + incoming);
        }
      } else if (this.atBottom) {
        el.scrollTop = el.scrollHeight;
      }
      this.snapshot = {
        threadId,
        first,
        last,
        ids: new Set(messages.map((m) => m.id)),
        loadingOlder: page.loadingOlder,
      };

      // A short conversation may not fill the pane: fetch older pages until it scrolls.
      if (page.loaded && page.nextCursor && !page.loadingOlder && el.scrollHeight <= el.clientHeight + 8) {
        this.loadOlder(el);
      }
    });
  }

  protected onScroll(): void {
    const el = this.scroller()?.nativeElement;
    if (!el) return;
    this.atBottom = this.isAtBottom(el);
    if (this.atBottom && this.newCount() > 0) this.newCount.set(0);
    const page = this.page();
    if (el.scrollTop < TOP_THRESHOLD && page.loaded && page.nextCursor && !page.loadingOlder) this.loadOlder(el);
  }

  protected scrollToBottom(): void {
    const el = this.scroller()?.nativeElement;
    if (!el) return;
    el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
    this.atBottom = true;
    this.newCount.set(0);
  }

  protected onSent(): void {
    this.atBottom = true;
    this.newCount.set(0);
  }

  protected jumpTo(messageId: string): void {
    const el = this.scroller()?.nativeElement;
    const target = el?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
    if (!target) return;
    target.scrollIntoView({ block: 'center', behavior: 'smooth' });
    target.classList.remove('flash');
    void target.offsetWidth; // restart the animation
    target.classList.add('flash');
  }

  protected quotedFor(m: MessageView): MessageView | null {
    return m.replyToId ? (this.store.selectedMessageIndex().get(m.replyToId) ?? null) : null;
  }

  protected retry(m: MessageView): void {
    void this.store.retry(m);
  }

  protected onStatusChange(value: string): void {
    const t = this.thread();
    if (t) void this.store.setStatus(t.id, value as ThreadStatus);
  }

  protected toggleStar(): void {
    const t = this.thread();
    if (t) void this.store.toggleStar(t.id);
  }

  protected sendTemplate(choice: TemplateChoice): void {
    const t = this.thread();
    if (!t) return;
    this.store.sendTemplate(t.id, choice.template, choice.rendered);
    this.pickerOpen.set(false);
    this.onSent();
  }

  // ---- drag and drop: files dropped anywhere on the pane go to the composer's tray ------------

  protected onDragEnter(event: DragEvent): void {
    if (!hasFiles(event)) return;
    event.preventDefault();
    this.dragDepth++;
    this.dragging.set(true);
  }

  protected onDragOver(event: DragEvent): void {
    if (!hasFiles(event)) return;
    // Without this the browser opens the dropped file in place of the app.
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = this.canAttach() ? 'copy' : 'none';
  }

  protected onDragLeave(): void {
    this.dragDepth = Math.max(0, this.dragDepth - 1);
    if (this.dragDepth === 0) this.dragging.set(false);
  }

  protected onDrop(event: DragEvent): void {
    if (!hasFiles(event)) return;
    event.preventDefault();
    this.dragDepth = 0;
    this.dragging.set(false);
    const t = this.thread();
    const files = [...(event.dataTransfer?.files ?? [])];
    if (t && this.canAttach() && files.length > 0) this.uploads.add(t.id, files);
  }

  /** Files can be sent where the composer is (not past the 24-hour window). */
  protected canAttach(): boolean {
    return this.thread() !== null && !this.windowClosed();
  }

  private loadOlder(el: HTMLElement): void {
    const threadId = this.store.selectedId();
    if (!threadId) return;
    this.anchor = { height: el.scrollHeight, top: el.scrollTop };
    void this.store.loadOlderMessages(threadId);
  }

  private isAtBottom(el: HTMLElement): boolean {
    return el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK;
  }
}

function hasFiles(event: DragEvent): boolean {
  return event.dataTransfer?.types.includes('Files') ?? false;
}
