import { signal } from '@angular/core';
import type { MessageView, StartThreadRequest, ThreadView } from '@switchboard/contracts';

import { errorMessage, isTransientError, type CommsApi } from '../api/comms-api.service';

/** The open "new conversation" flow. A new object each time it is (re)opened. */
export interface NewConversationFlow {
  /** The number to prefill (what was typed in the search), possibly empty. */
  to: string;
}

/** How one attempt to start a conversation ended. */
export type StartOutcome =
  | { kind: 'started'; threadId: string }
  /** The server refused it (invalid number, unknown channel): its message, for the form. */
  | { kind: 'rejected'; message: string }
  /** No answer (offline, 5xx): already reported; retry with the same clientMessageId. */
  | { kind: 'failed' };

/** What starting a conversation needs from the store that owns it. */
export interface ConversationStarterHost {
  upsertThreads(views: readonly ThreadView[]): void;
  upsertMessages(threadId: string, views: readonly MessageView[], opts: { create: boolean }): void;
  /** Put the thread in the list, whatever the search and filter. */
  include(threadId: string): void;
  /** Clear the search and open the thread (the flow that asked is still on screen). */
  show(threadId: string): void;
  reportError(message: string): void;
}

/**
 * The "new conversation" flow: whether it is open, where to go back to when it is cancelled, and
 * the POST that starts the conversation. The answer goes through the store's upserts, so the
 * `new_message` event the server also sends converges on the same thread and the same bubble.
 */
export class ConversationStarter {
  private readonly flowSignal = signal<NewConversationFlow | null>(null);
  /** The conversation open before the flow: cancelling goes back to it. */
  private returnTo: string | null = null;

  readonly flow = this.flowSignal.asReadonly();

  constructor(
    private readonly api: CommsApi,
    private readonly host: ConversationStarterHost,
  ) {}

  /** Open the flow (again) with `to` prefilled; `current` is the conversation it replaces. */
  begin(to: string, current: string | null): void {
    // Reopening from within the flow keeps the original way back.
    if (!this.flowSignal()) this.returnTo = current;
    this.flowSignal.set({ to });
  }

  /** Close the flow; resolves the conversation to go back to, if any. */
  cancel(): string | null {
    const back = this.flowSignal() ? this.returnTo : null;
    this.dismiss();
    return back;
  }

  /** Another conversation was opened: the flow is left behind, with no way back to keep. */
  dismiss(): void {
    this.flowSignal.set(null);
    this.returnTo = null;
  }

  async start(request: StartThreadRequest): Promise<StartOutcome> {
    const flow = this.flowSignal();
    try {
      const { thread, message } = await this.api.startThread(request);
      this.host.upsertThreads([thread]);
      this.host.upsertMessages(thread.id, [message], { create: true });
      this.host.include(thread.id);
      // Cancelled while the POST was out: the message is sent, but the agent is not pulled back.
      if (flow && this.flowSignal() === flow) this.host.show(thread.id);
      return { kind: 'started', threadId: thread.id };
    } catch (err) {
      if (!isTransientError(err)) return { kind: 'rejected', message: errorMessage(err) };
      this.host.reportError(`Couldn't start the conversation: ${errorMessage(err)}`);
      return { kind: 'failed' };
    }
  }
}
