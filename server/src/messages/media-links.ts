import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a provider may take to fetch an outbound file by URL (Twilio fetches within seconds). */
export const PUBLIC_LINK_TTL_MS = 24 * 3_600_000;

/**
 * Time-limited public links to one message's media, for providers that fetch outbound files by
 * URL (Twilio's MediaUrl): the link names the message and an expiry, signed with a key derived
 * from the server's encryption key, so it cannot be forged or reused for another file.
 */
export class MediaLinks {
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly publicBaseUrl: string,
  ) {
    this.key = createHmac('sha256', secret).update('switchboard media links v1').digest();
  }

  url(messageId: string, now = Date.now()): string {
    const exp = Math.floor((now + PUBLIC_LINK_TTL_MS) / 1000);
    return `${this.publicBaseUrl}/api/comms/media/public/${messageId}?exp=${exp}&sig=${this.sign(messageId, exp)}`;
  }

  valid(messageId: string, exp: unknown, sig: unknown, now = Date.now()): boolean {
    const expiry = Number(exp);
    if (!Number.isInteger(expiry) || expiry * 1000 < now || typeof sig !== 'string') return false;
    const expected = Buffer.from(this.sign(messageId, expiry));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private sign(messageId: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${messageId}.${exp}`).digest('base64url');
  }
}
