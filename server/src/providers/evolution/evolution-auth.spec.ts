import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { type WebhookRequest } from '../provider.types';
import { verifyEvolutionWebhook } from './evolution-auth';
import { rejection } from '../../../test/support/rejection';

const SIGN_MJS = resolve(__dirname, '../../../../../shared/protocols/sign.mjs');
const TOKEN = 'evo-jwt-demo-key';
const NOW = 1763647392;

/**
 * Byte-for-byte copy of shared/protocols/sign.mjs `evolutionJwt` (how Evolution signs with the
 * webhook's `jwt_key`): sign.mjs is ESM and Jest runs CommonJS, so it cannot be imported here.
 * The "sign.mjs" test below runs the script itself to catch any drift.
 */
function evolutionJwt(jwtKey: string, nowSeconds: number): { Authorization: string } {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = enc({ alg: 'HS256', typ: 'JWT' });
  const body = enc({ iat: nowSeconds, exp: nowSeconds + 600, app: 'evolution', action: 'webhook' });
  const sig = createHmac('sha256', jwtKey).update(`${head}.${body}`).digest('base64url');
  return { Authorization: `Bearer ${head}.${body}.${sig}` };
}

function b64url(o: unknown): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

function request(headers: Record<string, string> = {}): WebhookRequest {
  const body = { event: 'messages.upsert', instance: 'acme-br', data: {} };
  return { headers, rawBody: Buffer.from(JSON.stringify(body)), body, subPath: '', publicUrl: '' };
}

function bearer(token: string): WebhookRequest {
  return request({ authorization: `Bearer ${token}` });
}

function jwtParts(): [string, string, string] {
  const [head, body, sig] = evolutionJwt(TOKEN, NOW).Authorization.slice('Bearer '.length).split('.');
  return [head, body, sig];
}

describe(verifyEvolutionWebhook.name, () => {
  const sut = verifyEvolutionWebhook;

  describe('without a configured token', () => {
    it('should accept a request with no auth headers', () => {
      expect(() => sut(request(), undefined, NOW)).not.toThrow();
    });

    it('should treat an empty token as not configured', () => {
      expect(() => sut(request(), '', NOW)).not.toThrow();
    });
  });

  describe('x-inbox-token', () => {
    it('should accept the configured token', () => {
      expect(() => sut(request({ 'x-inbox-token': TOKEN }), TOKEN, NOW)).not.toThrow();
    });

    it('should reject a wrong token with 401', () => {
      expect(rejection(() => sut(request({ 'x-inbox-token': 'guess' }), TOKEN, NOW)).statusCode).toBe(401);
    });

    it('should not fall back to a valid Bearer token when the static token is wrong', () => {
      const req = request({ 'x-inbox-token': 'guess', authorization: evolutionJwt(TOKEN, NOW).Authorization });
      expect(rejection(() => sut(req, TOKEN, NOW)).statusCode).toBe(401);
    });
  });

  describe('Bearer JWT (jwt_key)', () => {
    it('should accept a token built like Evolution builds it', () => {
      expect(() => sut(request({ authorization: evolutionJwt(TOKEN, NOW).Authorization }), TOKEN, NOW)).not.toThrow();
    });

    it('should accept the exact header that shared sign.mjs prints', () => {
      const out = execFileSync(process.execPath, [SIGN_MJS, 'evolution-jwt', '--secret', TOKEN, '--now', String(NOW)], {
        encoding: 'utf8',
      });
      const header = out.trim().replace(/^Authorization: /, '');

      expect(header).toBe(evolutionJwt(TOKEN, NOW).Authorization);
      expect(() => sut(request({ authorization: header }), TOKEN, NOW)).not.toThrow();
    });

    it('should reject a token signed with another key', () => {
      const req = request({ authorization: evolutionJwt('other-key', NOW).Authorization });
      expect(rejection(() => sut(req, TOKEN, NOW)).statusCode).toBe(401);
    });

    it('should reject a tampered signature', () => {
      const [head, body, sig] = jwtParts();
      const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
      expect(rejection(() => sut(bearer(`${head}.${body}.${flipped}`), TOKEN, NOW)).statusCode).toBe(401);
    });

    it('should reject claims changed after signing', () => {
      const [head, , sig] = jwtParts();
      const body = b64url({ iat: NOW, exp: NOW + 86_400, app: 'evolution', action: 'webhook' });
      expect(rejection(() => sut(bearer(`${head}.${body}.${sig}`), TOKEN, NOW)).statusCode).toBe(401);
    });

    it('should reject an expired token', () => {
      const issuedAnHourAgo = evolutionJwt(TOKEN, NOW - 3600).Authorization;
      expect(rejection(() => sut(request({ authorization: issuedAnHourAgo }), TOKEN, NOW)).message).toMatch(/expired/);
    });

    it('should reject an unsigned alg "none" token', () => {
      const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iat: NOW, exp: NOW + 600 })}.`;
      expect(rejection(() => sut(bearer(token), TOKEN, NOW)).statusCode).toBe(401);
    });

    it('should reject a token without three parts', () => {
      const [head, body] = jwtParts();
      expect(rejection(() => sut(bearer(`${head}.${body}`), TOKEN, NOW)).statusCode).toBe(401);
    });

    it('should reject a token whose header is JSON but not an object', () => {
      const [, body, sig] = jwtParts();
      expect(rejection(() => sut(bearer(`${b64url(null)}.${body}.${sig}`), TOKEN, NOW)).statusCode).toBe(401);
    });

    it('should reject a token whose parts are not JSON', () => {
      expect(rejection(() => sut(bearer('not.a.jwt'), TOKEN, NOW)).statusCode).toBe(401);
    });
  });

  describe('with a configured token', () => {
    it('should reject a request carrying neither header', () => {
      expect(rejection(() => sut(request(), TOKEN, NOW)).statusCode).toBe(401);
    });

    it('should reject an Authorization header that is not Bearer', () => {
      expect(rejection(() => sut(request({ authorization: `Basic ${TOKEN}` }), TOKEN, NOW)).statusCode).toBe(401);
    });
  });
});
