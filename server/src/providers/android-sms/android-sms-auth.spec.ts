import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rejection } from '../../../test/support/rejection';
import type { WebhookRequest } from '../provider.types';
import { SIGNATURE_MAX_SKEW_SECONDS, signAndroidSmsWebhook, verifyAndroidSmsWebhook } from './android-sms-auth';

const TESTDATA = join(__dirname, 'testdata');

interface SignatureVector {
  signingKey: string;
  bodyFile: string;
  headers: { 'X-Timestamp': string; 'X-Signature': string };
}

const vector = JSON.parse(readFileSync(join(TESTDATA, 'signature_vector.json'), 'utf8')) as SignatureVector;
const body = readFileSync(join(TESTDATA, vector.bodyFile));
/** The vector's own moment: X-Timestamp is the time the phone signed. */
const SIGNED_AT_MS = Number(vector.headers['X-Timestamp']) * 1000;

/** Node hands headers over lower-cased. */
function request(rawBody: Buffer | string, headers: Record<string, string> = {}): WebhookRequest {
  const raw = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { headers: lower, rawBody: raw, body: JSON.parse(raw.toString('utf8')) as unknown, subPath: '', publicUrl: '' };
}

describe(verifyAndroidSmsWebhook.name, () => {
  const sut = verifyAndroidSmsWebhook;

  describe('with a signing key', () => {
    it('should accept the vector computed by an independent HMAC implementation', () => {
      expect(() => sut(request(body, vector.headers), vector.signingKey, SIGNED_AT_MS + 2000)).not.toThrow();
    });

    it('should sign exactly like the vector', () => {
      expect(signAndroidSmsWebhook(vector.signingKey, body, vector.headers['X-Timestamp'])).toBe(vector.headers['X-Signature']);
    });

    it('should accept an upper-case hex signature', () => {
      const headers = { ...vector.headers, 'X-Signature': vector.headers['X-Signature'].toUpperCase() };
      expect(() => sut(request(body, headers), vector.signingKey, SIGNED_AT_MS)).not.toThrow();
    });

    it('should reject a tampered body with 401', () => {
      const tampered = body.toString('utf8').replace('sweet treat', 'bitter pill');
      const err = rejection(() => sut(request(tampered, vector.headers), vector.signingKey, SIGNED_AT_MS));
      expect(err.statusCode).toBe(401);
      expect(err.message).toBe('invalid X-Signature signature');
    });

    it('should reject a signature made with another key with 401', () => {
      const err = rejection(() => sut(request(body, vector.headers), 'not-the-phone-key', SIGNED_AT_MS));
      expect(err.statusCode).toBe(401);
      expect(err.message).toBe('invalid X-Signature signature');
    });

    it('should reject a signature whose timestamp was changed (the timestamp is signed too)', () => {
      const headers = { ...vector.headers, 'X-Timestamp': String(Number(vector.headers['X-Timestamp']) + 1) };
      const err = rejection(() => sut(request(body, headers), vector.signingKey, SIGNED_AT_MS));
      expect(err.message).toBe('invalid X-Signature signature');
    });

    it('should reject a stale timestamp even with a valid signature', () => {
      const now = SIGNED_AT_MS + (SIGNATURE_MAX_SKEW_SECONDS + 1) * 1000;
      const err = rejection(() => sut(request(body, vector.headers), vector.signingKey, now));
      expect(err.statusCode).toBe(401);
      expect(err.message).toBe('X-Timestamp is 301 s away from our clock (at most 300 s)');
    });

    it('should reject a timestamp from the future beyond the window', () => {
      const now = SIGNED_AT_MS - (SIGNATURE_MAX_SKEW_SECONDS + 60) * 1000;
      expect(rejection(() => sut(request(body, vector.headers), vector.signingKey, now)).statusCode).toBe(401);
    });

    it('should accept a timestamp at the edge of the window', () => {
      const now = SIGNED_AT_MS + SIGNATURE_MAX_SKEW_SECONDS * 1000;
      expect(() => sut(request(body, vector.headers), vector.signingKey, now)).not.toThrow();
    });

    it.each([
      ['no X-Signature', { 'X-Timestamp': vector.headers['X-Timestamp'] }, 'missing X-Signature header'],
      ['no X-Timestamp', { 'X-Signature': vector.headers['X-Signature'] }, 'missing X-Timestamp header'],
      ['a non-numeric X-Timestamp', { ...vector.headers, 'X-Timestamp': '2024-06-22T08:46:11Z' }, 'X-Timestamp must be Unix seconds'],
      ['a signature that is not hex', { ...vector.headers, 'X-Signature': 'sha256=abc' }, 'malformed X-Signature header'],
    ])('should reject %s with 401', (_case, headers, message) => {
      const err = rejection(() => sut(request(body, headers), vector.signingKey, SIGNED_AT_MS));
      expect(err.statusCode).toBe(401);
      expect(err.message).toBe(message);
    });
  });

  describe('without a signing key', () => {
    it('should accept an unsigned request', () => {
      expect(() => sut(request(body), undefined)).not.toThrow();
      expect(() => sut(request(body), '')).not.toThrow();
    });
  });
});
