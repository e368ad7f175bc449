import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRejection, type WebhookRequest } from '../provider.types';
import { twilioParams } from './twilio.parse';
import type { TwilioParams } from './twilio.types';

/**
 * `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + for each param sorted by name: name +
 * value)); a repeated name contributes each distinct value, sorted (twilio-node
 * src/webhooks/webhooks.ts `getExpectedTwilioSignature`;
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security). No parameter is whitelisted:
 * Twilio adds new ones without notice, and all of them are signed.
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + [...new Set(params[name])].sort().reduce((s, value) => s + name + value, ''), url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

const AUTHORITY = /^(https?):\/\/([^/?#]*)(.*)$/i;
const DEFAULT_PORT: Record<string, string> = { https: '443', http: '80' };

/**
 * The URL as we rebuilt it, plus the same URL with the default port written out or left out:
 * Twilio's signing side is inconsistent about `:443`/`:80`, and the SDK accepts both
 * (twilio-node `validateRequest`: "since signature generation on the back end is inconsistent").
 * The scheme is never varied: a signature over http:// must not pass for an https:// endpoint.
 */
export function signedUrlVariants(url: string): string[] {
  const m = AUTHORITY.exec(url);
  if (!m) return [url];
  const [, scheme, authority, rest] = m;
  const port = DEFAULT_PORT[scheme.toLowerCase()];
  const hostPort = /^(.*?)(?::(\d+))?$/.exec(authority)!;
  const host = hostPort[1];
  const given = hostPort[2];
  const variants = [url];
  if (given === undefined) variants.push(`${scheme}://${host}:${port}${rest}`);
  else if (given === port) variants.push(`${scheme}://${host}${rest}`);
  return variants;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Checks the signature over `req.publicUrl` (PUBLIC_BASE_URL + path + query: behind a
 * TLS-terminating proxy the scheme and host must be the public ones Twilio called). Every Twilio
 * channel has an auth token, so an unsigned request is always refused.
 */
export function verifyTwilioSignature(req: WebhookRequest, authToken: string | undefined): void {
  if (!authToken) throw new WebhookRejection(401, 'Twilio channel has no auth token: cannot verify X-Twilio-Signature');
  const raw = req.headers['x-twilio-signature'];
  const header = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!header) throw new WebhookRejection(401, 'missing X-Twilio-Signature header');
  const params = twilioParams(req.body, req.rawBody);
  const ok = signedUrlVariants(req.publicUrl).some((url) => safeEqual(header, twilioSignature(authToken, url, params)));
  if (!ok) throw new WebhookRejection(401, 'invalid X-Twilio-Signature signature');
}
