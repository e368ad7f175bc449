import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRejection, type WebhookRequest } from '../provider.types';

/**
 * WAHA signs a webhook when the session's `webhooks[].hmac.key` (or WHATSAPP_HOOK_HMAC_KEY) is set:
 * `X-Webhook-Hmac` = lower-case hex HMAC-SHA512 of the raw body, `X-Webhook-Hmac-Algorithm: sha512`
 * (https://waha.devlike.pro/docs/how-to/events/, PROTOCOLS.md §2.1). Older Core releases could not
 * sign at all, so a channel without an hmacKey accepts unsigned requests.
 */
export function verifyWahaWebhook(req: WebhookRequest, hmacKey: string | undefined): void {
  if (!hmacKey) return;
  const signature = header(req, 'x-webhook-hmac');
  if (signature === undefined || signature.trim() === '') throw new WebhookRejection(401, 'missing X-Webhook-Hmac header');
  const algorithm = header(req, 'x-webhook-hmac-algorithm');
  if (algorithm !== undefined && algorithm.trim().toLowerCase() !== 'sha512') {
    throw new WebhookRejection(401, `unsupported X-Webhook-Hmac-Algorithm: ${algorithm}`);
  }
  const expected = createHmac('sha512', hmacKey).update(req.rawBody).digest('hex');
  if (!safeEqual(signature.trim().toLowerCase(), expected)) throw new WebhookRejection(401, 'invalid X-Webhook-Hmac signature');
}

function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
