import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  ApiErrorBody,
  ChannelView,
  MessageView,
  Page,
  PatchThreadRequest,
  SendMessageRequest,
  StartThreadRequest,
  ThreadListQuery,
  ThreadView,
} from '@switchboard/contracts';
import { firstValueFrom } from 'rxjs';

const BASE = '/api/comms';

export interface ThreadListResult {
  page: Page<ThreadView>;
  /** The server's latest realtime seq when the list was read (`x-realtime-seq`), if sent. */
  seq: number | null;
}

/** The answer to starting a conversation: the thread (new or reused) and the first message. */
export interface StartedThread {
  thread: ThreadView;
  message: MessageView;
}

/** Thin typed wrapper over the comms REST API. Every method resolves or rejects once. */
@Injectable({ providedIn: 'root' })
export class CommsApi {
  private readonly http = inject(HttpClient);

  async listThreads(query: ThreadListQuery): Promise<ThreadListResult> {
    let params = new HttpParams();
    for (const [key, value] of Object.entries(query) as [string, unknown][]) {
      if (value === undefined || value === null || value === '' || value === false) continue;
      params = params.set(key, String(value));
    }
    const res = await firstValueFrom(this.http.get<Page<ThreadView>>(`${BASE}/threads`, { params, observe: 'response' }));
    const header = res.headers.get('x-realtime-seq');
    const seq = header != null && header !== '' && Number.isFinite(Number(header)) ? Number(header) : null;
    return { page: res.body ?? { items: [], nextCursor: null }, seq };
  }

  getThread(id: string): Promise<ThreadView> {
    return firstValueFrom(this.http.get<ThreadView>(`${BASE}/threads/${encodeURIComponent(id)}`));
  }

  listMessages(threadId: string, cursor: string | null, limit = 50): Promise<Page<MessageView>> {
    let params = new HttpParams().set('limit', limit);
    if (cursor) params = params.set('cursor', cursor);
    return firstValueFrom(this.http.get<Page<MessageView>>(`${BASE}/threads/${encodeURIComponent(threadId)}/messages`, { params }));
  }

  sendMessage(threadId: string, body: SendMessageRequest): Promise<MessageView> {
    return firstValueFrom(this.http.post<MessageView>(`${BASE}/threads/${encodeURIComponent(threadId)}/messages`, body));
  }

  /** Start (or continue) a conversation with a number typed in any format. Idempotent on clientMessageId. */
  startThread(body: StartThreadRequest): Promise<StartedThread> {
    return firstValueFrom(this.http.post<StartedThread>(`${BASE}/threads`, body));
  }

  retryMessage(messageId: string): Promise<MessageView> {
    return firstValueFrom(this.http.post<MessageView>(`${BASE}/messages/${encodeURIComponent(messageId)}/retry`, {}));
  }

  patchThread(id: string, patch: PatchThreadRequest): Promise<ThreadView> {
    return firstValueFrom(this.http.patch<ThreadView>(`${BASE}/threads/${encodeURIComponent(id)}`, patch));
  }

  listChannels(): Promise<ChannelView[]> {
    return firstValueFrom(this.http.get<ChannelView[]>(`${BASE}/channels`));
  }
}

/** True when the request never got an HTTP answer (offline, DNS, connection reset) or a gateway error. */
export function isTransientError(err: unknown): boolean {
  if (!(err instanceof HttpErrorResponse)) return false;
  return err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500;
}

/** The human message of an API error: the server's `message`, else a sensible fallback. */
export function errorMessage(err: unknown): string {
  if (err instanceof HttpErrorResponse) {
    if (err.status === 0) return 'Network error — check your connection.';
    const body = err.error as Partial<ApiErrorBody> | string | null;
    if (body && typeof body === 'object') {
      const msg = (body as { message?: unknown }).message;
      if (Array.isArray(msg)) return msg.join('; ');
      if (typeof msg === 'string' && msg) return msg;
      if (typeof body.error === 'string' && body.error) return body.error;
    }
    if (typeof body === 'string' && body && body.length < 200) return body;
    return `${err.status} ${err.statusText || 'Request failed'}`;
  }
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
