import type { ProviderErrorCode } from '@switchboard/contracts';
import { errorForStatus } from '../http-client';
import { ProviderError } from '../provider-error';
import type { TwilioRestErrorBody } from './twilio.types';

interface KnownCode {
  code: ProviderErrorCode;
  /** Short human text, used when Twilio gives none (status callbacks carry only the number). */
  text: string;
  /** Overrides the neutral code's default retry policy. */
  retryable?: boolean;
}

/**
 * Twilio error codes -> neutral codes. One table for REST errors (`{code, message, more_info,
 * status}`) and the `ErrorCode` of failed/undelivered status callbacks. Each code is documented
 * at https://www.twilio.com/docs/api/errors/<code>.
 */
const CODES: Record<number, KnownCode> = {
  // https://www.twilio.com/docs/api/errors/20003: wrong Account SID / auth token.
  20003: { code: 'auth', text: 'authentication failed (check the Account SID and auth token)' },
  // https://www.twilio.com/docs/api/errors/20005: account suspended (funds, trial not activated).
  // Not a credential problem, but only an admin can fix it, so it flags the channel like one.
  20005: { code: 'auth', text: 'account not active' },
  // https://www.twilio.com/docs/api/errors/20429: "never processed and always safe to retry".
  20429: { code: 'rate_limited', text: 'too many concurrent requests' },
  // https://www.twilio.com/docs/api/errors/14107: more than 30 replies in 30 s between two numbers.
  14107: { code: 'rate_limited', text: 'SMS send rate limit exceeded between these two numbers' },
  // https://www.twilio.com/docs/api/errors/21211
  21211: { code: 'invalid_recipient', text: "invalid 'To' phone number" },
  // https://www.twilio.com/docs/api/errors/21614
  21614: { code: 'invalid_recipient', text: "'To' number is not a valid mobile number" },
  // https://www.twilio.com/docs/api/errors/21610: the recipient replied STOP; START undoes it.
  21610: { code: 'opted_out', text: 'the recipient has unsubscribed (replied STOP)' },
  // https://www.twilio.com/docs/api/errors/30003: handset off or out of coverage. It may come
  // back, but Twilio has already given up on this message; sending again is the agent's call.
  30003: { code: 'unavailable', text: 'unreachable destination handset', retryable: false },
  // https://www.twilio.com/docs/api/errors/30005: the number does not exist at the carrier.
  30005: { code: 'invalid_recipient', text: 'unknown destination handset' },
  // https://www.twilio.com/docs/api/errors/30006: a landline, or a carrier the sender cannot reach.
  30006: { code: 'invalid_recipient', text: 'landline or unreachable carrier' },
  // https://www.twilio.com/docs/api/errors/30007: the carrier filtered the content or sender
  // (spam rules, unregistered traffic); the same message would be filtered again.
  30007: { code: 'bad_request', text: 'message filtered by the carrier' },
  // https://www.twilio.com/docs/api/errors/30008
  30008: { code: 'unknown', text: 'unknown error' },
};

function known(code: number | undefined): KnownCode | undefined {
  return code !== undefined ? CODES[code] : undefined;
}

/** A non-2xx REST answer. The Twilio `code` decides; the HTTP status only when the code is unknown. */
export function twilioRestError(status: number, body: unknown, text: string, what: string): ProviderError {
  const err = (body !== null && typeof body === 'object' ? body : {}) as TwilioRestErrorBody;
  const code = typeof err.code === 'number' ? err.code : undefined;
  const k = known(code);
  const detail = err.message || k?.text || text.slice(0, 300) || `HTTP ${status}`;
  const message = `${what}: Twilio ${code ?? status}: ${detail}`;
  const providerCode = String(code ?? status);
  if (k) return new ProviderError(k.code, message, providerCode, k.retryable);
  // 401 auth, 408 timeout, 429 throttled, 5xx unavailable (retryable), other 4xx bad_request.
  return errorForStatus(status, message, providerCode);
}

/** The `ErrorCode` of a failed / undelivered status callback (or a polled message's `error_code`). */
export function callbackError(errorCode: string | number | null | undefined, status: string): ProviderError {
  const code = errorCode === null || errorCode === undefined || errorCode === '' ? undefined : Number(errorCode);
  if (code === undefined || !Number.isInteger(code) || code === 0) {
    if (status === 'canceled') return new ProviderError('unknown', 'Twilio canceled the message before it was sent', null, false);
    return new ProviderError('unknown', `Twilio reported the message as ${status}`, null, false);
  }
  const k = known(code);
  if (k) return new ProviderError(k.code, `Twilio ${code}: ${k.text}`, String(code), k.retryable);
  return new ProviderError(
    'unknown',
    `Twilio ${code}: message ${status} (https://www.twilio.com/docs/api/errors/${code})`,
    String(code),
    false,
  );
}
