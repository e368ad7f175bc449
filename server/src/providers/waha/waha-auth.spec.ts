import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { WebhookRequest } from '../provider.types';
import { rejection } from '../../../test/support/rejection';
import { verifyWahaWebhook } from './waha-auth';

const FIXTURES = resolve(__dirname, '../../../../../shared/protocols/fixtures');

interface SignatureVector {
  hmacKey: string;
  docVector: { body: string; key: string; 'X-Webhook-Hmac': string };
  cases: { bodyFile: string; headers: Record<string, string> }[];
  tampered: { bodyFile: string; headers: Record<string, string> };
}

const vector = JSON.parse(readFileSync(join(FIXTURES, 'waha/signature_vector.json'), 'utf8')) as SignatureVector;

/** Node hands headers over lower-cased. */
function request(rawBody: Buffer | string, headers: Record<string, string> = {}): WebhookRequest {
  const raw = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { headers: lower, rawBody: raw, body: JSON.parse(raw.toString('utf8')) as unknown, subPath: '', publicUrl: '' };
}

/** docs/site/content/en/docs/how-to/webhooks/index.md: key `my-secret-key`, the body below. */
const DOC_SIGNATURE =
  '208f8a55dde9e05519e898b10b89bf0d0b3b0fdf11fdbf09b6b90476301b98d8097c462b2b17a6ce93b6b47a136cf2e78a33a63f6752c2c1631777076153fa89';

const fixtureBytes = (file: string): Buffer => readFileSync(join(FIXTURES, file));

describe(verifyWahaWebhook.name, () => {
  const sut = verifyWahaWebhook;

  describe('with an hmacKey', () => {
    it.each(vector.cases)('should accept $bodyFile signed as in the vector', ({ bodyFile, headers }) => {
      expect(() => sut(request(fixtureBytes(bodyFile), headers), vector.hmacKey)).not.toThrow();
    });

    it('should accept the WAHA documentation vector (as in sign.mjs selftest)', () => {
      const body = '{"event":"message","session":"default","engine":"WEBJS"}';
      expect(() => sut(request(body, { 'X-Webhook-Hmac': DOC_SIGNATURE }), 'my-secret-key')).not.toThrow();
    });

    it('should agree with the fixture copy of the documentation vector', () => {
      const { body, key } = vector.docVector;
      expect(vector.docVector['X-Webhook-Hmac']).toBe(DOC_SIGNATURE);
      expect(() => sut(request(body, { 'X-Webhook-Hmac': DOC_SIGNATURE }), key)).not.toThrow();
    });

    it('should accept an upper-case hex signature', () => {
      const { body, key } = vector.docVector;
      expect(() => sut(request(body, { 'X-Webhook-Hmac': vector.docVector['X-Webhook-Hmac'].toUpperCase() }), key)).not.toThrow();
    });

    it('should reject the tampered header with 401', () => {
      const err = rejection(() => sut(request(fixtureBytes(vector.tampered.bodyFile), vector.tampered.headers), vector.hmacKey));
      expect(err.statusCode).toBe(401);
    });

    it('should reject a tampered body with 401', () => {
      const [first] = vector.cases;
      const body = fixtureBytes(first.bodyFile).toString('utf8').replace('Namaste', 'Namasta');
      expect(rejection(() => sut(request(body, first.headers), vector.hmacKey)).statusCode).toBe(401);
    });

    it('should reject a re-serialised body with 401: the bytes are signed, not the JSON', () => {
      const [first] = vector.cases;
      const reserialised = JSON.stringify(JSON.parse(fixtureBytes(first.bodyFile).toString('utf8')));
      expect(rejection(() => sut(request(reserialised, first.headers), vector.hmacKey)).statusCode).toBe(401);
    });

    it('should reject a signature made with another key with 401', () => {
      const { body } = vector.docVector;
      expect(rejection(() => sut(request(body, { 'X-Webhook-Hmac': vector.docVector['X-Webhook-Hmac'] }), 'other-key')).statusCode).toBe(
        401,
      );
    });

    it('should reject a missing header with 401', () => {
      const err = rejection(() => sut(request(fixtureBytes('waha/inbound_text.json')), vector.hmacKey));
      expect(err.statusCode).toBe(401);
      expect(err.message).toContain('X-Webhook-Hmac');
    });

    it('should reject a signature of the wrong length with 401', () => {
      expect(rejection(() => sut(request(vector.docVector.body, { 'X-Webhook-Hmac': 'abc' }), vector.docVector.key)).statusCode).toBe(401);
    });

    it('should reject an algorithm other than sha512 with 401', () => {
      const { body, key } = vector.docVector;
      const headers = { 'X-Webhook-Hmac': vector.docVector['X-Webhook-Hmac'], 'X-Webhook-Hmac-Algorithm': 'sha256' };
      expect(rejection(() => sut(request(body, headers), key)).statusCode).toBe(401);
    });
  });

  describe('without an hmacKey', () => {
    it('should accept an unsigned request', () => {
      expect(() => sut(request(fixtureBytes('waha/inbound_text.json')), undefined)).not.toThrow();
    });

    it('should treat an empty key as not configured', () => {
      expect(() => sut(request(fixtureBytes('waha/inbound_text.json'), { 'X-Webhook-Hmac': 'ffff' }), '')).not.toThrow();
    });
  });
});
