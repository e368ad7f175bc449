import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRejection, type WebhookRequest } from '../provider.types';

/**
 * Evolution cannot sign its webhooks (PROTOCOLS.md §1.1). It sends static headers from the
 * instance's webhook config verbatim, and when those contain `jwt_key` it replaces that entry
 * with `Authorization: Bearer <HS256 JWT>` (claims iat, exp = iat + 600). We accept either the
 * static `x-inbox-token` header or that JWT, both keyed by the channel's webhookToken.
 * The body's `apikey` field is not proof of anything and is never checked.
 */
export function verifyEvolutionWebhook(req: WebhookRequest, webhookToken: string | undefined, nowSec = Date.now() / 1000): void {
  if (!webhookToken) return;
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const staticToken = header('x-inbox-token');
  if (staticToken !== undefined) {
    if (safeEqual(staticToken, webhookToken)) return;
    throw new WebhookRejection(401, 'invalid x-inbox-token');
  }
  const auth = header('authorization');
  if (auth?.startsWith('Bearer ')) {
    verifyJwt(auth.slice(7).trim(), webhookToken, nowSec);
    return;
  }
  throw new WebhookRejection(401, 'missing webhook token: send x-inbox-token or an Evolution jwt_key Bearer token');
}

function verifyJwt(token: string, key: string, nowSec: number): void {
  const parts = token.split('.');
  if (parts.length !== 3) throw new WebhookRejection(401, 'malformed Bearer token');
  const [head, body, sig] = parts;
  // JSON.parse can yield null or a primitive: optional chaining below keeps those a 401, not a 500.
  let header: { alg?: unknown } | null;
  let claims: { exp?: unknown } | null;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new WebhookRejection(401, 'malformed Bearer token');
  }
  if (header?.alg !== 'HS256') throw new WebhookRejection(401, 'Bearer token must be HS256');
  const expected = createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
  if (!safeEqual(sig, expected)) throw new WebhookRejection(401, 'invalid Bearer token signature');
  // A little leeway for clock skew between Evolution's host and ours.
  if (typeof claims?.exp !== 'number' || claims.exp + 30 < nowSec) throw new WebhookRejection(401, 'Bearer token expired');
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
