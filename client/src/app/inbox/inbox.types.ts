export type ThreadFilter = 'all' | 'unread' | 'starred';

export interface ListState {
  loading: boolean;
  loadingMore: boolean;
  nextCursor: string | null;
  error: string | null;
}

export interface MessagePageState {
  /** The newest page is being fetched. */
  loading: boolean;
  loadingOlder: boolean;
  /** The newest page arrived at least once. */
  loaded: boolean;
  /** Cursor to the next OLDER page; null once the beginning of the conversation is loaded. */
  nextCursor: string | null;
  error: string | null;
}

/** Page size of both the thread list and a conversation's messages. */
export const PAGE_SIZE = 50;

export const EMPTY_PAGE_STATE: MessagePageState = {
  loading: false,
  loadingOlder: false,
  loaded: false,
  nextCursor: null,
  error: null,
};
