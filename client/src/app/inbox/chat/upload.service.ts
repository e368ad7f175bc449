import { HttpErrorResponse } from '@angular/common/http';
import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import type { MessageKind, UploadView } from '@switchboard/contracts';

import { CommsApi, errorMessage, isTransientError } from '../../api/comms-api.service';
import { formatBytes } from '../../shared/time-format';
import { InboxStore, type LocalAttachment } from '../inbox.store';

/** The server's limit (413 above it), which is also WhatsApp's for most media. */
export const MAX_UPLOAD_BYTES = 16 * 1024 * 1024;

export type TrayItemState = 'ready' | 'queued' | 'uploading' | 'failed';

/** A file chosen for a conversation, in the tray until its message is handed to the outbox. */
export interface TrayItem {
  id: string;
  file: File;
  name: string;
  size: number;
  mimeType: string;
  /** What it looks like it will be sent as (the server has the last word after the upload). */
  kind: 'image' | 'video' | 'audio' | 'document';
  /** An object URL of the file: the tray's thumbnail and the optimistic bubble's media. */
  previewUrl: string;
  /** Audio only: send as a voice note. */
  voice: boolean;
  state: TrayItemState;
  /** 0..1 while uploading. */
  progress: number;
  error: string | null;
  /** False when trying again cannot help (too large, a type that cannot be sent). */
  retryable: boolean;
  /** Set at the first send and kept for retries, so the bubble and the message are one. */
  clientMessageId: string | null;
  caption: string;
  createdAt: string | null;
}

/**
 * The attachment trays, one per conversation, and their way out: on send each file gets its
 * optimistic bubble at once, then the files upload one after another (so their messages keep the
 * order they were chosen in) and each uploaded file is handed to the store's outbox, which posts
 * its message with a fixed clientMessageId. A failed upload takes its bubble away and stays in the
 * tray with the reason; an upload retried after a lost answer only leaves an unused upload row.
 */
@Injectable({ providedIn: 'root' })
export class UploadService {
  private readonly api = inject(CommsApi);
  private readonly store = inject(InboxStore);

  private readonly trays = signal<ReadonlyMap<string, readonly TrayItem[]>>(new Map());
  /** Each conversation's upload chain: one file at a time. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly aborts = new Map<string, AbortController>();

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      for (const a of this.aborts.values()) a.abort();
    });
  }

  /** The conversation's tray (reads a signal: use it in a computed or a template). */
  items(threadId: string): readonly TrayItem[] {
    return this.trays().get(threadId) ?? [];
  }

  /** Add chosen, pasted or dropped files; a file over the limit shows its error at once. */
  add(threadId: string, files: Iterable<File>): void {
    const added: TrayItem[] = [];
    for (const file of files) {
      const tooBig = file.size > MAX_UPLOAD_BYTES;
      const empty = file.size === 0;
      added.push({
        id: crypto.randomUUID(),
        file,
        name: file.name || 'file',
        size: file.size,
        mimeType: file.type || 'application/octet-stream',
        kind: kindOf(file.type),
        previewUrl: URL.createObjectURL(file),
        voice: false,
        state: tooBig || empty ? 'failed' : 'ready',
        progress: 0,
        error: tooBig ? `Too large (${formatBytes(file.size)}): the limit is 16 MB` : empty ? 'This file is empty' : null,
        retryable: false,
        clientMessageId: null,
        caption: '',
        createdAt: null,
      });
    }
    if (added.length > 0) this.setTray(threadId, [...this.items(threadId), ...added]);
  }

  /** Take a file out of the tray (cancelling its upload if it is under way). */
  remove(threadId: string, id: string): void {
    const item = this.items(threadId).find((i) => i.id === id);
    if (!item) return;
    this.aborts.get(id)?.abort();
    if (item.clientMessageId) this.store.discardAttachment(threadId, item.clientMessageId);
    URL.revokeObjectURL(item.previewUrl);
    this.setTray(
      threadId,
      this.items(threadId).filter((i) => i.id !== id),
    );
  }

  setVoice(threadId: string, id: string, voice: boolean): void {
    this.patch(threadId, id, { voice });
  }

  /** Whether the tray has files that Send would send. */
  hasSendable(threadId: string): boolean {
    return this.items(threadId).some((i) => i.state === 'ready');
  }

  /** Send every ready file, `caption` on the first; each bubble appears now, then its upload runs. */
  send(threadId: string, caption: string): void {
    const ready = this.items(threadId).filter((i) => i.state === 'ready');
    const base = Date.now();
    ready.forEach((item, index) =>
      this.start(threadId, item, {
        caption: index === 0 ? caption.trim() : '',
        createdAt: new Date(base + index).toISOString(),
      }),
    );
  }

  /** Upload a failed file again, with its caption and its clientMessageId. */
  retry(threadId: string, id: string): void {
    const item = this.items(threadId).find((i) => i.id === id);
    if (!item || item.state !== 'failed' || !item.retryable) return;
    this.start(threadId, item, { caption: item.caption, createdAt: new Date().toISOString() });
  }

  private start(threadId: string, item: TrayItem, send: { caption: string; createdAt: string }): void {
    const clientMessageId = item.clientMessageId ?? crypto.randomUUID();
    this.patch(threadId, item.id, { ...send, clientMessageId, state: 'queued', progress: 0, error: null });
    this.store.showAttachment(threadId, this.draft({ ...item, ...send, clientMessageId }, bubbleKind(item.kind, item.voice)));
    const previous = this.chains.get(threadId) ?? Promise.resolve();
    const next = previous.then(() => this.upload(threadId, item.id));
    this.chains.set(threadId, next);
    void next.finally(() => {
      if (this.chains.get(threadId) === next) this.chains.delete(threadId);
    });
  }

  private async upload(threadId: string, id: string): Promise<void> {
    const item = this.items(threadId).find((i) => i.id === id);
    if (!item || item.state !== 'queued' || !item.clientMessageId) return; // removed while waiting
    const abort = new AbortController();
    this.aborts.set(id, abort);
    this.patch(threadId, id, { state: 'uploading' });
    let upload: UploadView;
    try {
      upload = await this.api.uploadFile(item.file, (progress) => this.patch(threadId, id, { progress }), abort.signal);
    } catch (err) {
      if (abort.signal.aborted) return; // removed by the agent
      this.store.discardAttachment(threadId, item.clientMessageId);
      this.patch(threadId, id, { state: 'failed', ...uploadError(err) });
      return;
    } finally {
      this.aborts.delete(id);
    }
    const current = this.items(threadId).find((i) => i.id === id) ?? item;
    const kind = current.voice && upload.kind === 'audio' ? 'voice' : upload.kind;
    this.store.sendAttachment(
      threadId,
      this.draft(current, kind),
      { uploadId: upload.uploadId, ...(current.voice ? { voice: true } : {}) },
      previewLabel(kind, current.name),
    );
    // The store owns the object URL now (the bubble shows it until the server's copy arrives).
    this.setTray(
      threadId,
      this.items(threadId).filter((i) => i.id !== id),
    );
  }

  private draft(item: TrayItem, kind: MessageKind): LocalAttachment {
    return {
      clientMessageId: item.clientMessageId!,
      kind,
      caption: item.caption,
      createdAt: item.createdAt ?? new Date().toISOString(),
      media: {
        mimeType: item.mimeType,
        fileName: item.name,
        size: item.size,
        durationSec: null,
        url: item.previewUrl,
        downloadError: null,
      },
    };
  }

  private patch(threadId: string, id: string, patch: Partial<TrayItem>): void {
    const items = this.items(threadId);
    if (!items.some((i) => i.id === id)) return;
    this.setTray(
      threadId,
      items.map((i) => (i.id === id ? { ...i, ...patch } : i)),
    );
  }

  private setTray(threadId: string, items: readonly TrayItem[]): void {
    this.trays.update((prev) => {
      const next = new Map(prev);
      if (items.length > 0) next.set(threadId, items);
      else next.delete(threadId);
      return next;
    });
  }
}

/** What a file looks like it will be sent as, from its type (the server decides for real). */
export function kindOf(mimeType: string): TrayItem['kind'] {
  if (/^image\/(jpeg|png|webp|gif)$/i.test(mimeType)) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  if (mimeType.startsWith('audio/')) return 'audio';
  return 'document';
}

function bubbleKind(kind: TrayItem['kind'], voice: boolean): MessageKind {
  return kind === 'audio' && voice ? 'voice' : kind;
}

/** The thread list's line for a sent file (as the server writes it). */
function previewLabel(kind: MessageKind, fileName: string): string {
  switch (kind) {
    case 'image':
      return '📷 Photo';
    case 'video':
      return '🎥 Video';
    case 'voice':
      return '🎤 Voice message';
    case 'audio':
      return '🎵 Audio';
    case 'sticker':
      return 'Sticker';
    default:
      return `📄 ${fileName}`;
  }
}

/** The tray's wording for a failed upload, and whether trying again can help. */
function uploadError(err: unknown): { error: string; retryable: boolean } {
  if (err instanceof HttpErrorResponse && err.status === 415) {
    // The server's explanation lists every accepted type: too long for the tray item.
    return { error: "This type of file can't be sent", retryable: false };
  }
  if (err instanceof HttpErrorResponse && err.status === 413) {
    const message = errorMessage(err);
    return { error: /^\d{3}\b/.test(message) ? 'Too large: the limit is 16 MB' : message, retryable: false };
  }
  return { error: errorMessage(err), retryable: isTransientError(err) || !(err instanceof HttpErrorResponse) };
}
