import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRejection, type WebhookRequest } from '../provider.types';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>` (PROTOCOLS.md §3.2). Meta
 * signs the bytes it sends, which escape non-ASCII as `\uXXXX`; re-serialising the parsed body
 * would unescape them and never match, so only the raw bytes are hashed. Every Meta channel has
 * an app secret: without one nothing can be verified and the POST is refused.
 */
export function verifyMetaSignature(req: WebhookRequest, appSecret: string | undefined): void {
  if (!appSecret) throw new WebhookRejection(401, 'Meta channel has no app secret: cannot verify X-Hub-Signature-256');
  const raw = req.headers['x-hub-signature-256'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  if (!header) throw new WebhookRejection(401, 'missing X-Hub-Signature-256 header');
  const match = SIGNATURE.exec(header.trim());
  if (!match) throw new WebhookRejection(401, 'malformed X-Hub-Signature-256 header');
  const expected = createHmac('sha256', appSecret).update(req.rawBody).digest();
  const given = Buffer.from(match[1], 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new WebhookRejection(401, 'invalid X-Hub-Signature-256 signature');
  }
}
