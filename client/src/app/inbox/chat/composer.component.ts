import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';

import { InboxStore } from '../inbox.store';
import { AttachmentTray } from './attachment-tray.component';
import { UploadService } from './upload.service';

const MAX_HEIGHT_PX = 144; // keep in sync with .input max-height

/**
 * Multi-line composer: Enter sends, Shift+Enter adds a line. Keeps a draft per conversation.
 * Files (paperclip, paste, or dropped on the chat pane) wait in a tray above it; with files in the
 * tray the text box is the caption of the first one.
 */
@Component({
  selector: 'sb-composer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [AttachmentTray],
  template: `
    @if (tray().length > 0) {
      <sb-attachment-tray
        [items]="tray()"
        (remove)="uploads.remove(threadId(), $event)"
        (retry)="uploads.retry(threadId(), $event)"
        (voice)="uploads.setVoice(threadId(), $event.id, $event.voice)"
      />
    }
    <form class="composer" (submit)="$event.preventDefault(); send()">
      <input #files type="file" multiple hidden data-testid="attach-input" (change)="onFilesChosen(files)" />
      <button type="button" class="tool" data-testid="attach" aria-label="Attach files" title="Attach files" (click)="files.click()">
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path
            d="M16.5 6.5v10.6a4.5 4.5 0 0 1-9 0V5.8a3 3 0 0 1 6 0v10.1a1.5 1.5 0 0 1-3 0V6.5H9v9.4a3 3 0 0 0 6 0V5.8a4.5 4.5 0 0 0-9 0v11.3a6 6 0 0 0 12 0V6.5z"
            fill="currentColor"
          />
        </svg>
      </button>
      @if (templates()) {
        <button
          type="button"
          class="tool tool--text"
          data-testid="open-templates"
          title="Send a WhatsApp template"
          (click)="openTemplates.emit()"
        >
          Template
        </button>
      }
      <label class="sr-only" for="composer-input">{{ tray().length > 0 ? 'Add a caption' : 'Type a message' }}</label>
      <textarea
        #box
        id="composer-input"
        class="input"
        rows="1"
        [placeholder]="tray().length > 0 ? 'Add a caption (optional)' : 'Type a message'"
        data-testid="composer"
        autocomplete="off"
        (input)="onInput(box.value)"
        (keydown)="onKey($event)"
        (paste)="onPaste($event)"
      ></textarea>
      <button type="submit" class="send" data-testid="send" aria-label="Send" title="Send (Enter)" [disabled]="!canSend()">
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path
            d="M3.4 20.4l17.45-7.48a1 1 0 0 0 0-1.84L3.4 3.6a.99.99 0 0 0-1.39.91L2 9.12c0 .5.37.93.87.99L17 12 2.87 13.88c-.5.07-.87.5-.87 1l.01 4.61c0 .71.73 1.2 1.39.91z"
            fill="currentColor"
          />
        </svg>
      </button>
    </form>
  `,
  styles: `
    :host {
      display: block;
      flex: none;
      background: var(--sb-panel-header);
      border-top: 1px solid var(--sb-border);
    }
    .composer {
      display: flex;
      align-items: flex-end;
      gap: 8px;
      padding: 8px 12px 8px 10px;
    }
    .tool {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      height: 42px;
      min-width: 38px;
      flex: none;
      border: 0;
      border-radius: 21px;
      background: transparent;
      color: var(--sb-text-2);
      transition: background-color 0.12s;
    }
    .tool:hover {
      background: rgb(11 20 26 / 0.06);
    }
    .tool--text {
      padding: 0 10px;
      font-size: 13px;
      font-weight: 600;
      color: var(--sb-accent-strong);
    }
    .input {
      flex: 1;
      min-height: 42px;
      max-height: 144px;
      padding: 10px 14px;
      border: 1px solid transparent;
      border-radius: 8px;
      background: #fff;
      font-size: 15px;
      line-height: 20px;
      resize: none;
      outline: none;
      overflow-y: auto;
    }
    .input:focus {
      border-color: #c9d3d8;
      box-shadow: none;
    }
    .input::placeholder {
      color: var(--sb-text-3);
    }
    .send {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 42px;
      height: 42px;
      flex: none;
      border: 0;
      border-radius: 50%;
      background: var(--sb-accent);
      color: #fff;
      transition:
        background-color 0.12s,
        opacity 0.12s;
    }
    .send:hover:not(:disabled) {
      background: var(--sb-accent-strong);
    }
    .send:disabled {
      background: transparent;
      color: #8696a0;
      cursor: default;
    }
  `,
})
export class Composer {
  private readonly store = inject(InboxStore);
  protected readonly uploads = inject(UploadService);

  readonly threadId = input.required<string>();
  /** Offer the template picker (WhatsApp Cloud API channels). */
  readonly templates = input(false);
  /** Emitted after a message was handed to the store. */
  readonly sent = output<void>();
  readonly openTemplates = output<void>();

  private readonly text = signal('');
  protected readonly tray = computed(() => this.uploads.items(this.threadId()));
  /** With files in the tray Send sends them (the text is their caption); otherwise the text. */
  protected readonly canSend = computed(() =>
    this.tray().length > 0 ? this.tray().some((i) => i.state === 'ready') : this.text().trim().length > 0,
  );
  private readonly box = viewChild.required<ElementRef<HTMLTextAreaElement>>('box');

  constructor() {
    // Switching conversation: restore that conversation's draft and focus the box.
    afterRenderEffect(() => {
      const id = this.threadId();
      untracked(() => {
        const draft = this.store.getDraft(id);
        this.text.set(draft);
        const el = this.box().nativeElement;
        el.value = draft;
        this.autosize();
        if (this.shouldAutofocus()) el.focus({ preventScroll: true });
      });
    });
  }

  protected onInput(value: string): void {
    this.text.set(value);
    this.store.setDraft(this.threadId(), value);
    this.autosize();
  }

  protected onKey(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    this.send();
  }

  protected onFilesChosen(input: HTMLInputElement): void {
    if (input.files?.length) this.uploads.add(this.threadId(), [...input.files]);
    input.value = ''; // choosing the same file again must fire change again
    this.box().nativeElement.focus();
  }

  /** Images pasted from the clipboard go to the tray; text pastes as usual. */
  protected onPaste(event: ClipboardEvent): void {
    const files = [...(event.clipboardData?.files ?? [])].filter((f) => f.type.startsWith('image/'));
    if (files.length === 0) return;
    event.preventDefault();
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '');
    this.uploads.add(
      this.threadId(),
      files.map((f, i) =>
        f.name && f.name !== 'image.png'
          ? f
          : new File([f], `pasted-${stamp}${i ? `-${i}` : ''}.${f.type.split('/')[1] || 'png'}`, { type: f.type }),
      ),
    );
  }

  protected send(): void {
    const el = this.box().nativeElement;
    const value = el.value;
    const threadId = this.threadId();
    if (this.tray().length > 0) {
      if (!this.uploads.hasSendable(threadId)) return;
      this.uploads.send(threadId, value);
    } else if (value.trim()) this.store.send(threadId, value);
    else return;
    this.store.setDraft(threadId, '');
    el.value = '';
    this.text.set('');
    this.autosize();
    el.focus();
    this.sent.emit();
  }

  /**
   * Focus the box on opening a conversation, except on touch devices (keyboard pop-up) and while
   * the agent walks the list with the keyboard (focus stays in the list).
   */
  private shouldAutofocus(): boolean {
    if (!window.matchMedia('(pointer: fine)').matches) return false;
    const active = document.activeElement;
    return !(active instanceof HTMLElement && active.closest('[data-testid="thread-list"]') && active.matches(':focus-visible'));
  }

  private autosize(): void {
    const el = this.box().nativeElement;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight + 2, MAX_HEIGHT_PX)}px`;
  }
}
