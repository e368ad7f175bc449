import { createHmac } from 'node:crypto';
import { fixture, fixtureBytes } from '../../../test/support/fixtures';
import { rejection } from '../../../test/support/rejection';
import type { WebhookRequest } from '../provider.types';
import { signedUrlVariants, twilioSignature, verifyTwilioSignature } from './twilio-auth';
import { twilioParams } from './twilio.parse';

interface SignatureCase {
  url: string;
  bodyFile: string;
  headers: { 'X-Twilio-Signature': string };
}

interface SignatureVector {
  authToken: string;
  docVector: { url: string; authToken: string; params: Record<string, string>; 'X-Twilio-Signature': string };
  cases: SignatureCase[];
  wrongUrl: SignatureCase;
  tampered: SignatureCase;
}

const vector = fixture<SignatureVector>('twilio/signature_vector.json');
const TOKEN = vector.authToken;

/** Fastify's parsed form: one string per name, an array for a repeated name. */
function parsedForm(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  return out;
}

function request(publicUrl: string, raw: string, signature: string | undefined, body: unknown = parsedForm(raw)): WebhookRequest {
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature !== undefined ? { 'x-twilio-signature': signature } : {}),
    },
    rawBody: Buffer.from(raw),
    body,
    subPath: '',
    publicUrl,
  };
}

const caseRequest = (c: SignatureCase, publicUrl = c.url): WebhookRequest =>
  request(publicUrl, fixtureBytes(c.bodyFile).toString('utf8'), c.headers['X-Twilio-Signature']);

describe(twilioSignature.name, () => {
  it("should reproduce the vector from Twilio's security docs", () => {
    const { url, authToken, params } = vector.docVector;
    expect(twilioSignature(authToken, url, twilioParams(params))).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(vector.docVector['X-Twilio-Signature']).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it.each(vector.cases)('should reproduce the fixture signature for $bodyFile', (c) => {
    const params = twilioParams(fixtureBytes(c.bodyFile).toString('utf8'));
    expect(twilioSignature(TOKEN, c.url, params)).toBe(c.headers['X-Twilio-Signature']);
  });

  it('should sign each distinct value of a repeated name, sorted', () => {
    const url = 'https://inbox.example.com/api/comms/webhooks/twilio';
    const expected = createHmac('sha1', TOKEN).update(`${url}MediaUrlaMediaUrlbTo+1`).digest('base64');
    expect(twilioSignature(TOKEN, url, { To: ['+1'], MediaUrl: ['b', 'a', 'b'] })).toBe(expected);
  });
});

describe(signedUrlVariants.name, () => {
  it('should add the default port to a URL without one', () => {
    expect(signedUrlVariants('https://inbox.example.com/api/comms/webhooks/twilio?x=1')).toEqual([
      'https://inbox.example.com/api/comms/webhooks/twilio?x=1',
      'https://inbox.example.com:443/api/comms/webhooks/twilio?x=1',
    ]);
    expect(signedUrlVariants('http://inbox.example.com/hook')).toEqual([
      'http://inbox.example.com/hook',
      'http://inbox.example.com:80/hook',
    ]);
  });

  it('should drop an explicit default port', () => {
    expect(signedUrlVariants('https://inbox.example.com:443/hook')).toEqual([
      'https://inbox.example.com:443/hook',
      'https://inbox.example.com/hook',
    ]);
  });

  it('should keep a non-default port as the only form', () => {
    expect(signedUrlVariants('https://inbox.example.com:8443/hook')).toEqual(['https://inbox.example.com:8443/hook']);
  });
});

describe(verifyTwilioSignature.name, () => {
  it.each(vector.cases)('should accept $bodyFile signed for $url', (c) => {
    expect(() => verifyTwilioSignature(caseRequest(c), TOKEN)).not.toThrow();
  });

  it('should verify from the raw bytes when the body is not a parsed object', () => {
    const c = vector.cases[0];
    const raw = fixtureBytes(c.bodyFile).toString('utf8');
    expect(() => verifyTwilioSignature(request(c.url, raw, c.headers['X-Twilio-Signature'], undefined), TOKEN)).not.toThrow();
  });

  it('should refuse a body signed for http:// when the public URL is https://', () => {
    const err = rejection(() =>
      verifyTwilioSignature(caseRequest(vector.wrongUrl, 'https://inbox.example.com/webhooks/twilio/sms'), TOKEN),
    );
    expect(err.statusCode).toBe(401);
    expect(err.message).toBe('invalid X-Twilio-Signature signature');
  });

  it('should refuse the tampered signature', () => {
    expect(rejection(() => verifyTwilioSignature(caseRequest(vector.tampered), TOKEN)).statusCode).toBe(401);
  });

  it('should refuse a changed body under the original signature', () => {
    const c = vector.cases[0];
    const raw = fixtureBytes(c.bodyFile).toString('utf8').replace('55812', '55813');
    expect(rejection(() => verifyTwilioSignature(request(c.url, raw, c.headers['X-Twilio-Signature']), TOKEN)).statusCode).toBe(401);
  });

  it('should refuse an extra parameter the signature does not cover', () => {
    const c = vector.cases[0];
    const raw = `${fixtureBytes(c.bodyFile).toString('utf8')}&OptOutType=STOP`;
    expect(rejection(() => verifyTwilioSignature(request(c.url, raw, c.headers['X-Twilio-Signature']), TOKEN)).statusCode).toBe(401);
  });

  it('should refuse a signature made with another auth token', () => {
    expect(rejection(() => verifyTwilioSignature(caseRequest(vector.cases[0]), 'another-token')).statusCode).toBe(401);
  });

  it('should refuse a signature for another path', () => {
    const c = vector.cases[0];
    expect(
      rejection(() => verifyTwilioSignature(caseRequest(c, 'https://inbox.example.com/webhooks/twilio/status'), TOKEN)).statusCode,
    ).toBe(401);
  });

  it('should accept a signature over the URL with :443 when the public URL has none, and the reverse', () => {
    const raw = fixtureBytes('twilio/inbound_text.txt').toString('utf8');
    const params = twilioParams(raw);
    const withPort = twilioSignature(TOKEN, 'https://inbox.example.com:443/webhooks/twilio/sms', params);
    const withoutPort = twilioSignature(TOKEN, 'https://inbox.example.com/webhooks/twilio/sms', params);
    expect(() => verifyTwilioSignature(request('https://inbox.example.com/webhooks/twilio/sms', raw, withPort), TOKEN)).not.toThrow();
    expect(() =>
      verifyTwilioSignature(request('https://inbox.example.com:443/webhooks/twilio/sms', raw, withoutPort), TOKEN),
    ).not.toThrow();
  });

  it('should refuse a signature over another port', () => {
    const raw = fixtureBytes('twilio/inbound_text.txt').toString('utf8');
    const other = twilioSignature(TOKEN, 'https://inbox.example.com:8443/webhooks/twilio/sms', twilioParams(raw));
    expect(
      rejection(() => verifyTwilioSignature(request('https://inbox.example.com/webhooks/twilio/sms', raw, other), TOKEN)).statusCode,
    ).toBe(401);
  });

  it('should cover the query string of the public URL', () => {
    const raw = 'MessageSid=SM1&From=%2B12025550143&To=%2B14155550100';
    const signed = twilioSignature(TOKEN, 'https://inbox.example.com/hook?tenant=a', twilioParams(raw));
    expect(() => verifyTwilioSignature(request('https://inbox.example.com/hook?tenant=a', raw, signed), TOKEN)).not.toThrow();
    expect(rejection(() => verifyTwilioSignature(request('https://inbox.example.com/hook?tenant=b', raw, signed), TOKEN)).statusCode).toBe(
      401,
    );
  });

  it('should verify repeated parameters as Fastify parses them (an array)', () => {
    const raw = 'MessageSid=SM1&MediaUrl=b&MediaUrl=a&From=%2B12025550143&To=%2B14155550100';
    const signed = twilioSignature(TOKEN, 'https://inbox.example.com/hook', twilioParams(raw));
    expect(() => verifyTwilioSignature(request('https://inbox.example.com/hook', raw, signed), TOKEN)).not.toThrow();
  });

  it('should refuse a request without the header', () => {
    const err = rejection(() => verifyTwilioSignature(request(vector.cases[0].url, 'MessageSid=SM1', undefined), TOKEN));
    expect(err.statusCode).toBe(401);
    expect(err.message).toBe('missing X-Twilio-Signature header');
  });

  it('should refuse everything when the channel has no auth token', () => {
    const err = rejection(() => verifyTwilioSignature(caseRequest(vector.cases[0]), undefined));
    expect(err.statusCode).toBe(401);
    expect(err.message).toBe('Twilio channel has no auth token: cannot verify X-Twilio-Signature');
  });
});
