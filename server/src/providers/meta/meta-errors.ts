import type { ProviderErrorCode } from '@switchboard/contracts';
import { errorForStatus } from '../http-client';
import { ProviderError } from '../provider-error';
import type { MetaError, MetaErrorBody } from './meta.types';

/**
 * Meta error codes -> neutral codes (PROTOCOLS.md §3.9, developers.facebook.com/…/support/error-codes).
 * Meta advises keying on `code` and `error_data.details`, never on titles.
 */
const CODES: Record<number, ProviderErrorCode> = {
  131047: 'window_closed', // re-engagement: more than 24 h since the customer last wrote
  131026: 'invalid_recipient', // undeliverable (not on WhatsApp, old app, blocked us)
  130429: 'rate_limited', // throughput limit of the number
  131056: 'rate_limited', // pair rate limit: too many messages to the same user
  190: 'auth', // access token expired or revoked
  131000: 'unavailable', // "something went wrong" on Meta's side
  100: 'bad_request', // invalid parameter
  131008: 'bad_request', // required parameter missing
  131051: 'bad_request', // unsupported message type
  131062: 'bad_request', // this message type cannot be sent to a BSUID
};

export function neutralCode(code: number | undefined): ProviderErrorCode {
  return (code !== undefined && CODES[code]) || 'unknown';
}

/** An error object of a failed status (`statuses[].errors[0]`). */
export function statusError(err: MetaError | undefined): ProviderError {
  if (!err) return new ProviderError('unknown', 'WhatsApp reported the message as failed without a reason');
  const message = err.error_data?.details || err.title || err.message || 'WhatsApp reported the message as failed';
  return new ProviderError(neutralCode(err.code), message, err.code !== undefined ? String(err.code) : null);
}

/** A non-2xx Graph API answer. The `code` decides; the HTTP status only when the code is unknown. */
export function graphError(status: number, body: unknown, text: string, what: string): ProviderError {
  const error = (body as MetaErrorBody | null)?.error;
  const details = error?.error_data?.details;
  const base = error?.message ?? (text.slice(0, 300) || `HTTP ${status}`);
  const message = `${what} ${status}: ${base}${details && !base.includes(details) ? ` (${details})` : ''}`;
  const code = typeof error?.code === 'number' ? error.code : undefined;
  const providerCode = code !== undefined ? String(code) : String(status);
  const mapped = neutralCode(code);
  if (mapped !== 'unknown') return new ProviderError(mapped, message, providerCode);
  // Codes we do not know: the HTTP status is the hint only where it is unambiguous (auth,
  // throttling, outages); any other 4xx with an unknown code stays `unknown`.
  if (status === 401 || status === 403 || status === 408 || status === 429 || status >= 500) {
    return errorForStatus(status, message, providerCode);
  }
  return new ProviderError('unknown', message, providerCode);
}
