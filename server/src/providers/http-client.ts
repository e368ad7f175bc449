import { networkError, ProviderError } from './provider-error';

export interface HttpResponse {
  status: number;
  body: unknown;
  text: string;
}

export interface HttpBytes {
  status: number;
  bytes: Buffer;
  contentType: string | null;
}

/**
 * The one fetch wrapper for adapters: a timeout on every call, network failures turned into
 * retryable ProviderErrors. Status handling stays in each adapter. Media comes back as bytes.
 */
export async function httpBytes(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  opts: { headers?: Record<string, string>; body?: string | Uint8Array | FormData; timeoutMs: number; what: string },
): Promise<HttpBytes> {
  try {
    const res = await fetch(url, { method, headers: opts.headers, body: opts.body, signal: AbortSignal.timeout(opts.timeoutMs) });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') };
  } catch (err) {
    throw networkError(err, opts.what);
  }
}

/** JSON in and out over httpBytes; a body that is not JSON leaves `body` null and keeps `text`. */
export async function httpJson(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  opts: { headers?: Record<string, string>; json?: unknown; timeoutMs: number; what: string },
): Promise<HttpResponse> {
  const res = await httpBytes(method, url, {
    headers: { accept: 'application/json', ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
    timeoutMs: opts.timeoutMs,
    what: opts.what,
  });
  const text = res.bytes.toString('utf8');
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  return { status: res.status, body, text };
}

/** Generic status mapping used when a provider's body says nothing more specific. */
export function errorForStatus(status: number, message: string, providerCode: string | null): ProviderError {
  if (status === 401 || status === 403) return new ProviderError('auth', message, providerCode);
  if (status === 408) return new ProviderError('timeout', message, providerCode);
  if (status === 429) return new ProviderError('rate_limited', message, providerCode);
  if (status >= 500) return new ProviderError('unavailable', message, providerCode);
  if (status >= 400) return new ProviderError('bad_request', message, providerCode);
  return new ProviderError('unknown', message, providerCode);
}
