import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type {
  ApiErrorBody,
  ChannelTestRequest,
  ChannelView,
  ConnectionTestView,
  CreateChannelRequest,
  HistorySyncEvent,
  MessageView,
  Page,
  PatchThreadRequest,
  ProviderTestRequest,
  SendMessageRequest,
  StartThreadRequest,
  TemplateListView,
  ThreadListQuery,
  ThreadView,
  UpdateChannelRequest,
  UploadView,
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

  // ---- channels admin ----

  getChannel(id: string): Promise<ChannelView> {
    return firstValueFrom(this.http.get<ChannelView>(`${BASE}/channels/${encodeURIComponent(id)}`));
  }

  /** Creates the channel; the server then tests it (registering our webhook where it can) and answers both. */
  createChannel(body: CreateChannelRequest): Promise<ChannelView & { test: ConnectionTestView }> {
    return firstValueFrom(this.http.post<ChannelView & { test: ConnectionTestView }>(`${BASE}/channels`, body));
  }

  /** Absent secrets keep their stored value; '' clears an optional one. */
  updateChannel(id: string, body: UpdateChannelRequest): Promise<ChannelView> {
    return firstValueFrom(this.http.patch<ChannelView>(`${BASE}/channels/${encodeURIComponent(id)}`, body));
  }

  /** With `loopTo`, the server also sends a test message there; its ticks arrive as status_update events. */
  testChannel(id: string, body: ChannelTestRequest = {}): Promise<ConnectionTestView> {
    return firstValueFrom(this.http.post<ConnectionTestView>(`${BASE}/channels/${encodeURIComponent(id)}/test`, body));
  }

  /** Test settings that are not saved yet. */
  testProvider(body: ProviderTestRequest): Promise<ConnectionTestView> {
    return firstValueFrom(this.http.post<ConnectionTestView>(`${BASE}/provider/test`, body));
  }

  /** Register our callback URL with the provider (400 where the admin must paste it themselves). */
  registerWebhook(id: string): Promise<ConnectionTestView> {
    return firstValueFrom(this.http.post<ConnectionTestView>(`${BASE}/channels/${encodeURIComponent(id)}/webhook`, {}));
  }

  /** Start a history import (202 with the import); its progress arrives as history_sync events. */
  syncHistory(id: string, days: number): Promise<Omit<HistorySyncEvent, 'seq'>> {
    return firstValueFrom(this.http.post<Omit<HistorySyncEvent, 'seq'>>(`${BASE}/channels/${encodeURIComponent(id)}/sync`, { days }));
  }

  /** The channel's latest history import, running or finished (404 when there was none). */
  getHistorySync(id: string): Promise<Omit<HistorySyncEvent, 'seq'>> {
    return firstValueFrom(this.http.get<Omit<HistorySyncEvent, 'seq'>>(`${BASE}/channels/${encodeURIComponent(id)}/sync`));
  }

  // ---- end of channels admin ----

  // ---- uploads and templates ----

  /**
   * Store a file to send: its raw bytes as the body (no multipart), its type as Content-Type and
   * its name in X-File-Name. XMLHttpRequest rather than HttpClient because the fetch backend
   * reports no upload progress. Rejects with an HttpErrorResponse (413 too large, 415 a type that
   * cannot be sent, status 0 offline), like every other method here.
   */
  uploadFile(file: Blob & { name?: string }, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<UploadView> {
    const url = `${BASE}/uploads`;
    return new Promise<UploadView>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', url);
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
      xhr.setRequestHeader('X-File-Name', encodeURIComponent(file.name || 'file'));
      xhr.responseType = 'text';
      if (onProgress) xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      const fail = (status: number, statusText: string, body: unknown) =>
        reject(new HttpErrorResponse({ status, statusText, error: body, url }));
      xhr.onload = () => {
        let body: unknown = xhr.responseText;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          // not JSON (a proxy's HTML error page): keep the text
        }
        if (xhr.status >= 200 && xhr.status < 300) resolve(body as UploadView);
        else fail(xhr.status, xhr.statusText, body);
      };
      xhr.onerror = () => fail(0, 'Network error', null);
      xhr.ontimeout = () => fail(0, 'Timeout', null);
      xhr.onabort = () => fail(0, 'Cancelled', null);
      signal?.addEventListener('abort', () => xhr.abort(), { once: true });
      xhr.send(file);
    });
  }

  /** The channel's WhatsApp templates as last synced from its WABA. */
  listTemplates(channelId: string): Promise<TemplateListView> {
    return firstValueFrom(this.http.get<TemplateListView>(`${BASE}/channels/${encodeURIComponent(channelId)}/templates`));
  }

  /** Fetch the templates from Meta again (new ones, approvals, rejections). */
  syncTemplates(channelId: string): Promise<TemplateListView> {
    return firstValueFrom(this.http.post<TemplateListView>(`${BASE}/channels/${encodeURIComponent(channelId)}/templates/sync`, {}));
  }

  // ---- end of uploads and templates ----
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
