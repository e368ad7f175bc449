import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRejection, type WebhookRequest } from '../provider.types';

/** How far X-Timestamp may be from our clock, either way (the docs' "±5 minutes"). */
export const SIGNATURE_MAX_SKEW_SECONDS = 300;

const HEX_SHA256 = /^[0-9a-f]{64}$/i;
const UNIX_SECONDS = /^\d{1,12}$/;

/**
 * SMS Gateway for Android signs every webhook when a signing key is set (the app generates one on
 * first use, Settings > Webhooks > Signing Key): `X-Timestamp` = Unix seconds at send time,
 * `X-Signature` = lower-case hex HMAC-SHA256(key, raw body bytes + X-Timestamp)
 * (modules/webhooks/plugins/PayloadSingingPlugin.kt; docs.sms-gate.app/features/webhooks/).
 * Each retry is signed again with a fresh timestamp, so a short window refuses replays without
 * refusing the phone's own retries. A channel without a signing key accepts unsigned requests.
 */
export function verifyAndroidSmsWebhook(req: WebhookRequest, signingKey: string | undefined, nowMs = Date.now()): void {
  if (!signingKey) return;
  const signature = header(req, 'x-signature')?.trim();
  const timestamp = header(req, 'x-timestamp')?.trim();
  if (!signature) throw new WebhookRejection(401, 'missing X-Signature header');
  if (!timestamp) throw new WebhookRejection(401, 'missing X-Timestamp header');
  if (!UNIX_SECONDS.test(timestamp)) throw new WebhookRejection(401, 'X-Timestamp must be Unix seconds');
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > SIGNATURE_MAX_SKEW_SECONDS) {
    throw new WebhookRejection(401, `X-Timestamp is ${Math.round(skew)} s away from our clock (at most ${SIGNATURE_MAX_SKEW_SECONDS} s)`);
  }
  if (!HEX_SHA256.test(signature)) throw new WebhookRejection(401, 'malformed X-Signature header');
  const expected = signAndroidSmsWebhook(signingKey, req.rawBody, timestamp);
  if (!timingSafeEqual(Buffer.from(signature.toLowerCase()), Buffer.from(expected))) {
    throw new WebhookRejection(401, 'invalid X-Signature signature');
  }
}

/** The phone's signature for `rawBody` sent at `timestamp` (also what tests sign with). */
export function signAndroidSmsWebhook(signingKey: string, rawBody: Buffer | string, timestamp: string): string {
  return createHmac('sha256', signingKey).update(rawBody).update(timestamp).digest('hex');
}

function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
