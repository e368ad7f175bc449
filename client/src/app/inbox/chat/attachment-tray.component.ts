import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';

import { formatBytes } from '../../shared/time-format';
import type { TrayItem } from './upload.service';

const ICONS: Record<TrayItem['kind'], { d: string; color: string }> = {
  image: {
    d: 'M21 19V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2zM8.5 13.5l2.5 3 3.5-4.5 4.5 6H5l3.5-4.5z',
    color: '#007bfc',
  },
  video: {
    d: 'M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z',
    color: '#d3396d',
  },
  audio: { d: 'M12 3v10.55A4 4 0 1 0 14 17V7h4V3h-6z', color: '#e2711d' },
  document: { d: 'M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zm-1 7V3.5L18.5 9z', color: '#7f66ff' },
};

/** The files chosen for the open conversation, above the composer: preview, progress, errors. */
@Component({
  selector: 'sb-attachment-tray',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { 'data-testid': 'attachment-tray', role: 'list', 'aria-label': 'Files to send' },
  template: `
    @for (item of items(); track item.id) {
      <div
        class="item"
        role="listitem"
        data-testid="tray-item"
        [attr.data-state]="item.state"
        [class.item--failed]="item.state === 'failed'"
        [attr.aria-busy]="item.state === 'uploading' || item.state === 'queued'"
      >
        @if (item.kind === 'image') {
          <img class="thumb" [src]="item.previewUrl" [alt]="item.name" data-testid="tray-thumb" />
        } @else {
          <span class="thumb thumb--icon" aria-hidden="true">
            <svg viewBox="0 0 24 24" width="26" height="26">
              <path [attr.d]="icons[item.kind].d" [attr.fill]="icons[item.kind].color" />
            </svg>
          </span>
        }
        <span class="text">
          <span class="name" [attr.title]="item.name">{{ item.name }}</span>
          @switch (item.state) {
            @case ('failed') {
              <span class="error" role="alert" data-testid="tray-error" [attr.title]="item.error">{{ item.error }}</span>
            }
            @case ('queued') {
              <span class="detail">Waiting…</span>
            }
            @case ('uploading') {
              <span
                class="progress"
                role="progressbar"
                aria-label="Uploading"
                [attr.aria-valuenow]="percent(item)"
                aria-valuemin="0"
                aria-valuemax="100"
              >
                <span class="progress__bar" [style.width.%]="percent(item)"></span>
              </span>
            }
            @default {
              <span class="detail">{{ size(item) }}</span>
            }
          }
          @if (item.kind === 'audio' && item.state === 'ready') {
            <label class="voice">
              <input
                type="checkbox"
                data-testid="tray-voice"
                [checked]="item.voice"
                (change)="voice.emit({ id: item.id, voice: box.checked })"
                #box
              />
              Send as voice note
            </label>
          }
        </span>
        @if (item.state === 'failed' && item.retryable) {
          <button type="button" class="action" data-testid="tray-retry" (click)="retry.emit(item.id)">Retry</button>
        }
        <button
          type="button"
          class="remove"
          data-testid="tray-remove"
          [attr.aria-label]="'Remove ' + item.name"
          title="Remove"
          (click)="remove.emit(item.id)"
        >
          <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">
            <path d="M6.4 5l5.6 5.6L17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z" fill="currentColor" />
          </svg>
        </button>
      </div>
    }
    <span class="limit">Up to 16 MB per file</span>
  `,
  styles: `
    :host {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      padding: 10px 16px 0;
    }
    .item {
      position: relative;
      display: flex;
      align-items: center;
      gap: 10px;
      width: 260px;
      max-width: 100%;
      min-height: 64px;
      padding: 6px 8px 6px 6px;
      border: 1px solid var(--sb-border-strong);
      border-radius: 8px;
      background: #fff;
    }
    .item--failed {
      border-color: #f1b5bf;
      background: #fff6f7;
    }
    .thumb {
      width: 50px;
      height: 50px;
      flex: none;
      border-radius: 6px;
      object-fit: cover;
      background: rgb(11 20 26 / 0.06);
    }
    .thumb--icon {
      display: inline-flex;
      align-items: center;
      justify-content: center;
    }
    .text {
      display: flex;
      flex-direction: column;
      gap: 2px;
      flex: 1;
      min-width: 0;
    }
    .name {
      font-size: 13.5px;
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .detail {
      font-size: 12px;
      color: var(--sb-text-3);
    }
    .error {
      font-size: 12px;
      line-height: 16px;
      color: var(--sb-danger);
      display: -webkit-box;
      -webkit-line-clamp: 2;
      -webkit-box-orient: vertical;
      overflow: hidden;
    }
    .progress {
      display: block;
      height: 4px;
      margin: 5px 0 3px;
      border-radius: 2px;
      background: #dfe5e7;
      overflow: hidden;
    }
    .progress__bar {
      display: block;
      height: 100%;
      background: var(--sb-accent);
      transition: width 0.15s linear;
    }
    .voice {
      display: inline-flex;
      align-items: center;
      gap: 5px;
      font-size: 12px;
      color: var(--sb-text-2);
      cursor: pointer;
    }
    .voice input {
      margin: 0;
      accent-color: var(--sb-accent);
    }
    .action {
      flex: none;
      border: 0;
      background: none;
      padding: 4px 6px;
      color: var(--sb-accent-strong);
      font-size: 13px;
      font-weight: 600;
    }
    .remove {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 26px;
      height: 26px;
      flex: none;
      border: 0;
      border-radius: 50%;
      background: transparent;
      color: var(--sb-text-3);
    }
    .remove:hover {
      background: rgb(11 20 26 / 0.07);
      color: var(--sb-text);
    }
    .limit {
      font-size: 12px;
      color: var(--sb-text-3);
      padding-left: 4px;
    }
  `,
})
export class AttachmentTray {
  readonly items = input.required<readonly TrayItem[]>();
  readonly remove = output<string>();
  readonly retry = output<string>();
  readonly voice = output<{ id: string; voice: boolean }>();

  protected readonly icons = ICONS;

  protected percent(item: TrayItem): number {
    return Math.round(item.progress * 100);
  }

  protected size(item: TrayItem): string {
    return formatBytes(item.size);
  }
}
