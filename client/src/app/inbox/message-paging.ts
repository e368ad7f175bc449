import { errorMessage, type CommsApi } from '../api/comms-api.service';
import type { InboxEntities } from './inbox-entities';
import { PAGE_SIZE } from './inbox.types';

/**
 * Paging of one conversation's messages: the newest page when it is opened (or resynced), then
 * older pages as the agent scrolls up. Pages go through the entities' message upsert and paging
 * state, like every other write.
 */
export class MessagePaging {
  constructor(
    private readonly api: CommsApi,
    private readonly entities: InboxEntities,
    private readonly reportError: (message: string) => void,
  ) {}

  async loadLatest(threadId: string): Promise<void> {
    this.entities.patchPageState(threadId, { loading: true, error: null });
    try {
      const page = await this.api.listMessages(threadId, null, PAGE_SIZE);
      const before = this.entities.pageStates().get(threadId);
      this.entities.upsertMessages(threadId, page.items, { create: true });
      this.entities.patchPageState(threadId, {
        loading: false,
        loaded: true,
        error: null,
        // Keep an older cursor if older pages were already paged in.
        nextCursor: before?.loaded ? before.nextCursor : page.nextCursor,
      });
    } catch (err) {
      const message = errorMessage(err);
      this.entities.patchPageState(threadId, { loading: false, error: message });
      this.reportError(message);
    }
  }

  /** Page backwards: prepend the next older page. Resolves whether any message was added. */
  async loadOlder(threadId: string): Promise<boolean> {
    const state = this.entities.pageStates().get(threadId);
    if (!state?.loaded || state.loadingOlder || !state.nextCursor) return false;
    this.entities.patchPageState(threadId, { loadingOlder: true });
    try {
      const page = await this.api.listMessages(threadId, state.nextCursor, PAGE_SIZE);
      this.entities.upsertMessages(threadId, page.items, { create: true });
      this.entities.patchPageState(threadId, { loadingOlder: false, nextCursor: page.nextCursor });
      return page.items.length > 0;
    } catch (err) {
      this.entities.patchPageState(threadId, { loadingOlder: false });
      this.reportError(errorMessage(err));
      return false;
    }
  }
}
