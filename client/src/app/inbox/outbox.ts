import type { AttachmentRef, MessageView, SendMessageRequest, TemplateRef } from '@switchboard/contracts';

import { errorMessage, isTransientError, type CommsApi } from '../api/comms-api.service';
import { isLocalMessage } from './inbox-merge';

const MAX_BACKOFF_MS = 30_000;

/** A message waiting to be accepted by the server, keyed by its clientMessageId. */
export interface QueuedSend {
  threadId: string;
  clientMessageId: string;
  /** The text, or an attachment's caption ('' for none). */
  body: string;
  replyToId: string | null;
  /** One uploaded file (the upload happened before queueing: only the message POST is retried). */
  attachments?: AttachmentRef[];
  template?: TemplateRef;
}

interface OutboxEntry extends QueuedSend {
  attempt: number;
  inFlight: boolean;
  timer: ReturnType<typeof setTimeout> | null;
}

/** What the outbox needs from the store that owns it. */
export interface OutboxHost {
  /** The thread's message carrying this clientMessageId: the optimistic bubble or the server's copy. */
  findByClientId(threadId: string, clientMessageId: string): MessageView | undefined;
  upsertMessages(threadId: string, views: readonly MessageView[], opts?: { create?: boolean }): void;
  reportError(message: string): void;
  /** The server has the message (its answer or its new_message event arrived). */
  accepted?(send: QueuedSend): void;
}

/**
 * Sends not yet accepted by the server. Network/5xx failures keep a send queued and retry it with
 * exponential backoff and jitter (the endpoint is idempotent on clientMessageId, so a retry of a
 * POST that did land creates nothing twice); a 4xx drops it and marks its bubble failed.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();
  /** Sends the server refused (4xx), kept so a retry re-posts the same attachment or template. */
  private readonly refused = new Map<string, QueuedSend>();

  constructor(
    private readonly api: CommsApi,
    private readonly host: OutboxHost,
  ) {}

  /** Queue a send (replacing any earlier entry for its clientMessageId) and post it now. */
  enqueue(send: QueuedSend): void {
    this.refused.delete(send.clientMessageId);
    this.entries.set(send.clientMessageId, { ...send, attempt: 0, inFlight: false, timer: null });
    void this.post(send.clientMessageId);
  }

  /** Queue a refused send again, exactly as it was first posted; false if it is not known. */
  resend(clientMessageId: string): boolean {
    const send = this.refused.get(clientMessageId);
    if (!send) return false;
    this.enqueue(send);
    return true;
  }

  /** Connection is back: retry every queued send now instead of waiting for its backoff. */
  flush(): void {
    for (const entry of this.entries.values()) {
      if (!entry.inFlight) void this.post(entry.clientMessageId);
    }
  }

  /** Threads with sends still queued. */
  threadIds(): string[] {
    return [...this.entries.values()].map((e) => e.threadId);
  }

  /** Cancel every scheduled retry (the owner is being destroyed). */
  dispose(): void {
    for (const entry of this.entries.values()) if (entry.timer) clearTimeout(entry.timer);
  }

  private async post(clientMessageId: string): Promise<void> {
    const entry = this.entries.get(clientMessageId);
    if (!entry || entry.inFlight) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    // The server already has it (a new_message event arrived): nothing left to do.
    const known = this.host.findByClientId(entry.threadId, clientMessageId);
    if (known && !isLocalMessage(known)) {
      this.entries.delete(clientMessageId);
      this.host.accepted?.(entry);
      return;
    }
    entry.inFlight = true;
    try {
      const view = await this.api.sendMessage(entry.threadId, requestOf(entry));
      this.entries.delete(clientMessageId);
      this.host.upsertMessages(view.threadId, [view], { create: true });
      this.host.accepted?.(entry);
    } catch (err) {
      entry.inFlight = false;
      if (isTransientError(err)) {
        entry.attempt++;
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (entry.attempt - 1)) * (0.8 + Math.random() * 0.4);
        entry.timer = setTimeout(() => void this.post(clientMessageId), delay);
      } else {
        this.entries.delete(clientMessageId);
        this.refused.set(clientMessageId, sendOf(entry));
        const local = this.host.findByClientId(entry.threadId, clientMessageId);
        if (local && isLocalMessage(local)) {
          this.host.upsertMessages(entry.threadId, [
            {
              ...local,
              status: 'failed',
              error: { code: 'bad_request', message: errorMessage(err), providerCode: null, retryable: false },
            },
          ]);
        }
        this.host.reportError(errorMessage(err));
      }
    }
  }
}

/** The POST body: a text, a file with an optional caption, or a template. */
function requestOf(send: QueuedSend): SendMessageRequest {
  const request: SendMessageRequest = { clientMessageId: send.clientMessageId };
  if (send.body) request.body = send.body;
  if (send.replyToId) request.replyToId = send.replyToId;
  if (send.attachments?.length) request.attachments = send.attachments;
  if (send.template) request.template = send.template;
  return request;
}

function sendOf(entry: OutboxEntry): QueuedSend {
  const { threadId, clientMessageId, body, replyToId, attachments, template } = entry;
  return { threadId, clientMessageId, body, replyToId, attachments, template };
}
