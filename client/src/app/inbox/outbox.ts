import type { MessageView } from '@switchboard/contracts';

import { errorMessage, isTransientError, type CommsApi } from '../api/comms-api.service';
import { isLocalMessage } from './inbox-merge';

const MAX_BACKOFF_MS = 30_000;

/** A text waiting to be accepted by the server, keyed by its clientMessageId. */
export interface QueuedSend {
  threadId: string;
  clientMessageId: string;
  body: string;
  replyToId: string | null;
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
}

/**
 * Sends not yet accepted by the server. Network/5xx failures keep a send queued and retry it with
 * exponential backoff and jitter (the endpoint is idempotent on clientMessageId, so a retry of a
 * POST that did land creates nothing twice); a 4xx drops it and marks its bubble failed.
 */
export class Outbox {
  private readonly entries = new Map<string, OutboxEntry>();

  constructor(
    private readonly api: CommsApi,
    private readonly host: OutboxHost,
  ) {}

  /** Queue a send (replacing any earlier entry for its clientMessageId) and post it now. */
  enqueue(send: QueuedSend): void {
    this.entries.set(send.clientMessageId, { ...send, attempt: 0, inFlight: false, timer: null });
    void this.post(send.clientMessageId);
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
      return;
    }
    entry.inFlight = true;
    try {
      const view = await this.api.sendMessage(entry.threadId, {
        body: entry.body,
        clientMessageId,
        ...(entry.replyToId ? { replyToId: entry.replyToId } : {}),
      });
      this.entries.delete(clientMessageId);
      this.host.upsertMessages(view.threadId, [view], { create: true });
    } catch (err) {
      entry.inFlight = false;
      if (isTransientError(err)) {
        entry.attempt++;
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (entry.attempt - 1)) * (0.8 + Math.random() * 0.4);
        entry.timer = setTimeout(() => void this.post(clientMessageId), delay);
      } else {
        this.entries.delete(clientMessageId);
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
