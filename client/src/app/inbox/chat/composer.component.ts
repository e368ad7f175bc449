import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterRenderEffect,
  inject,
  input,
  output,
  signal,
  untracked,
  viewChild,
} from '@angular/core';

import { InboxStore } from '../inbox.store';

const MAX_HEIGHT_PX = 144; // keep in sync with .input max-height

/** Multi-line composer: Enter sends, Shift+Enter adds a line. Keeps a draft per conversation. */
@Component({
  selector: 'sb-composer',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form class="composer" (submit)="$event.preventDefault(); send()">
      <label class="sr-only" for="composer-input">Type a message</label>
      <textarea
        #box
        id="composer-input"
        class="input"
        rows="1"
        placeholder="Type a message"
        data-testid="composer"
        autocomplete="off"
        (input)="onInput(box.value)"
        (keydown)="onKey($event)"
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
      padding: 8px 12px 8px 16px;
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

  readonly threadId = input.required<string>();
  /** Emitted after a message was handed to the store. */
  readonly sent = output<void>();

  protected readonly canSend = signal(false);
  private readonly box = viewChild.required<ElementRef<HTMLTextAreaElement>>('box');

  constructor() {
    // Switching conversation: restore that conversation's draft and focus the box.
    afterRenderEffect(() => {
      const id = this.threadId();
      untracked(() => {
        const draft = this.store.getDraft(id);
        this.canSend.set(draft.trim().length > 0);
        const el = this.box().nativeElement;
        el.value = draft;
        this.autosize();
        if (this.shouldAutofocus()) el.focus({ preventScroll: true });
      });
    });
  }

  protected onInput(value: string): void {
    this.canSend.set(value.trim().length > 0);
    this.store.setDraft(this.threadId(), value);
    this.autosize();
  }

  protected onKey(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    this.send();
  }

  protected send(): void {
    const el = this.box().nativeElement;
    const value = el.value;
    if (!value.trim()) return;
    this.store.send(this.threadId(), value);
    this.store.setDraft(this.threadId(), '');
    el.value = '';
    this.canSend.set(false);
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
