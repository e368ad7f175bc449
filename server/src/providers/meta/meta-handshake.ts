import { timingSafeEqual } from 'node:crypto';
import { WebhookRejection } from '../provider.types';

function first(v: unknown): string | undefined {
  const value = Array.isArray(v) ? (v as unknown[])[0] : v;
  return typeof value === 'string' ? value : undefined;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/**
 * Meta's subscription check (PROTOCOLS.md §3.1): `GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`.
 * Returns the challenge to answer verbatim as the 200 body (text/plain); anything else is a 403,
 * which makes the Meta dashboard show the callback as not verified.
 */
export function verifyMetaSubscription(query: Record<string, unknown>, verifyToken: string | undefined): string {
  const mode = first(query['hub.mode']);
  const token = first(query['hub.verify_token']);
  const challenge = first(query['hub.challenge']);
  if (mode !== 'subscribe') throw new WebhookRejection(403, 'hub.mode must be "subscribe"');
  if (!verifyToken) throw new WebhookRejection(403, 'Meta channel has no verify token configured');
  if (token === undefined || !safeEqual(token, verifyToken)) throw new WebhookRejection(403, 'hub.verify_token does not match');
  if (challenge === undefined || challenge === '') throw new WebhookRejection(400, 'missing hub.challenge');
  return challenge;
}
