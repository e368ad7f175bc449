import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rejection } from '../../../test/support/rejection';
import type { WebhookRequest } from '../provider.types';
import { verifyMetaSignature } from './meta-auth';
import { verifyMetaSubscription } from './meta-handshake';

const FIXTURES = resolve(__dirname, '../../../../../shared/protocols/fixtures');
const fixture = <T>(file: string): T => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as T;

interface SignatureCase {
  bodyFile: string;
  headers: Record<string, string>;
}
const vectors = fixture<{ appSecret: string; cases: SignatureCase[]; tampered: SignatureCase }>('meta/signature_vector.json');

interface Handshake {
  request: { query: Record<string, string> };
  configuredVerifyToken: string;
  expectedResponse: { status: number; body: string };
  mismatch: { query: Record<string, string>; expectedStatus: number };
}
const handshake = fixture<Handshake>('meta/webhook_verification.json');

const SECRET = vectors.appSecret;

function sign(raw: Buffer | string, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Headers as Node delivers them: lower-case names. */
function request(rawBody: Buffer, signature?: string | string[]): WebhookRequest {
  const headers: WebhookRequest['headers'] = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['x-hub-signature-256'] = signature;
  return { headers, rawBody, body: JSON.parse(rawBody.toString('utf8')), subPath: '', publicUrl: '' };
}

/** Meta escapes non-ASCII as lower-case \uXXXX and signs exactly those bytes. */
const escapedBody = Buffer.from(
  '{"object":"whatsapp_business_account","entry":[{"id":"102938475610293","changes":[{"value":{"messages":[{"text":{"body":"Promo\\u00e7\\u00e3o v\\u00e1lida?"}}]},"field":"messages"}]}]}',
  'ascii',
);

describe('meta-auth', () => {
  describe(verifyMetaSignature.name, () => {
    it.each(vectors.cases)('should accept the vector for $bodyFile', ({ bodyFile, headers }) => {
      const raw = readFileSync(join(FIXTURES, bodyFile));
      expect(() => verifyMetaSignature(request(raw, headers['X-Hub-Signature-256']), SECRET)).not.toThrow();
    });

    it('should reject the tampered vector with 401', () => {
      const raw = readFileSync(join(FIXTURES, vectors.tampered.bodyFile));
      expect(rejection(() => verifyMetaSignature(request(raw, vectors.tampered.headers['X-Hub-Signature-256']), SECRET)).statusCode).toBe(
        401,
      );
    });

    it('should reject a valid signature over a different body', () => {
      const raw = readFileSync(join(FIXTURES, 'meta/status_read.json'));
      const other = vectors.cases.find((c) => c.bodyFile === 'meta/inbound_text.json')!;
      expect(rejection(() => verifyMetaSignature(request(raw, other.headers['X-Hub-Signature-256']), SECRET)).statusCode).toBe(401);
    });

    it('should accept a signature over the raw bytes with \\u escapes', () => {
      expect(() => verifyMetaSignature(request(escapedBody, sign(escapedBody)), SECRET)).not.toThrow();
    });

    it('should reject the same signature checked against a re-serialised (unescaped) body', () => {
      const reserialised = Buffer.from(JSON.stringify(JSON.parse(escapedBody.toString('utf8'))), 'utf8');
      expect(reserialised.equals(escapedBody)).toBe(false);
      expect(rejection(() => verifyMetaSignature(request(reserialised, sign(escapedBody)), SECRET)).statusCode).toBe(401);
    });

    it('should accept an upper-case hex signature', () => {
      expect(() =>
        verifyMetaSignature(request(escapedBody, sign(escapedBody).toUpperCase().replace('SHA256=', 'sha256=')), SECRET),
      ).not.toThrow();
    });

    it('should read the first value of a repeated header', () => {
      expect(() => verifyMetaSignature(request(escapedBody, [sign(escapedBody), 'sha256=00']), SECRET)).not.toThrow();
    });

    it('should reject a signature made with another secret', () => {
      expect(rejection(() => verifyMetaSignature(request(escapedBody, sign(escapedBody, 'other-secret')), SECRET)).statusCode).toBe(401);
    });

    it('should reject a missing header with 401', () => {
      const err = rejection(() => verifyMetaSignature(request(escapedBody), SECRET));
      expect(err.statusCode).toBe(401);
      expect(err.message).toMatch(/missing X-Hub-Signature-256/);
    });

    it.each(['sha1=abc', 'sha256=xyz', sign(escapedBody).slice(7)])('should reject the malformed header %s with 401', (header) => {
      expect(rejection(() => verifyMetaSignature(request(escapedBody, header), SECRET)).statusCode).toBe(401);
    });

    it('should refuse every POST when the channel has no app secret', () => {
      expect(rejection(() => verifyMetaSignature(request(escapedBody, sign(escapedBody)), undefined)).statusCode).toBe(401);
      expect(rejection(() => verifyMetaSignature(request(escapedBody, sign(escapedBody, '')), '')).statusCode).toBe(401);
    });
  });

  describe(verifyMetaSubscription.name, () => {
    it('should return the challenge for the configured token', () => {
      expect(verifyMetaSubscription(handshake.request.query, handshake.configuredVerifyToken)).toBe(handshake.expectedResponse.body);
    });

    it('should reject a wrong token with 403', () => {
      expect(rejection(() => verifyMetaSubscription(handshake.mismatch.query, handshake.configuredVerifyToken)).statusCode).toBe(
        handshake.mismatch.expectedStatus,
      );
    });

    it('should reject a mode other than subscribe with 403', () => {
      const query = { ...handshake.request.query, 'hub.mode': 'unsubscribe' };
      expect(rejection(() => verifyMetaSubscription(query, handshake.configuredVerifyToken)).statusCode).toBe(403);
    });

    it('should reject a missing token with 403', () => {
      const { 'hub.verify_token': _token, ...query } = handshake.request.query;
      expect(rejection(() => verifyMetaSubscription(query, handshake.configuredVerifyToken)).statusCode).toBe(403);
    });

    it('should reject when the channel has no verify token', () => {
      expect(rejection(() => verifyMetaSubscription(handshake.request.query, undefined)).statusCode).toBe(403);
      expect(rejection(() => verifyMetaSubscription({ ...handshake.request.query, 'hub.verify_token': '' }, '')).statusCode).toBe(403);
    });

    it('should reject a missing challenge with 400', () => {
      const { 'hub.challenge': _challenge, ...query } = handshake.request.query;
      expect(rejection(() => verifyMetaSubscription(query, handshake.configuredVerifyToken)).statusCode).toBe(400);
    });

    it('should read the first value of a repeated query parameter', () => {
      const query = { ...handshake.request.query, 'hub.challenge': ['1158201444', 'x'] };
      expect(verifyMetaSubscription(query, handshake.configuredVerifyToken)).toBe('1158201444');
    });
  });
});
