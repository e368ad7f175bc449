import type { ChannelView, HistorySyncEvent, MessageView, RealtimeEvent, StatusUpdateEvent, ThreadView } from '@switchboard/contracts';

/** The writers live events go through: the same upserts HTTP responses use. */
export interface InboxEventTarget {
  upsertThreads(views: readonly ThreadView[], autoRead: boolean, fromNewMessage: boolean): void;
  upsertMessages(threadId: string, views: readonly MessageView[]): void;
  upsertChannels(views: readonly ChannelView[]): void;
  applyHistorySync(e: HistorySyncEvent): void;
  applyStatus(e: StatusUpdateEvent): void;
  /** Show a thread that changed live in the list, if it fits the current filter, query and window. */
  addToListIfFits(thread: ThreadView): void;
}

/** Apply one socket event (live or replayed by a sync). Idempotent, as the realtime sink requires. */
export function applyRealtimeEvent(target: InboxEventTarget, event: RealtimeEvent): void {
  switch (event.type) {
    case 'new_message': {
      const { thread, message } = event.data;
      target.upsertThreads([thread], true, true);
      target.addToListIfFits(thread);
      target.upsertMessages(event.data.threadId, [message]);
      break;
    }
    case 'status_update':
      target.applyStatus(event.data);
      break;
    case 'message_updated':
      target.upsertMessages(event.data.threadId, [event.data.message]);
      break;
    case 'thread_updated':
      target.upsertThreads([event.data.thread], true, false);
      target.addToListIfFits(event.data.thread);
      break;
    case 'channel_updated':
      target.upsertChannels([event.data.channel]);
      break;
    case 'history_sync':
      target.applyHistorySync(event.data);
      break;
  }
}
