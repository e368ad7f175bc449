import { networkError, ProviderError } from './provider-error';

export interface HttpResponse {
  status: number;
  body: unknown;
  text: string;
}

/**
 * One fetch wrapper for adapters: a timeout on every call, JSON in and out, network failures
 * turned into retryable ProviderErrors. Status handling stays in each adapter.
 */
export async function httpJson(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  opts: { headers?: Record<string, string>; json?: unknown; timeoutMs: number; what: string },
): Promise<HttpResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    throw networkError(err, opts.what);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw networkError(err, opts.what);
  }
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
