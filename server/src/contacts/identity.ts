import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * Who a provider address is. `address` keys the thread: E.164 when a phone is known, else
 * `lid:<digits>` / `bsuid:<id>` (never a phone invented from a LID). `raw` is what the provider
 * calls this person and is what replies are sent to. `ignore` marks traffic that must never
 * touch a 1:1 thread (groups, status broadcasts, newsletters).
 */
export type Identity =
  | { kind: 'person'; address: string; phone: string | null; raw: string; aliases: string[] }
  | { kind: 'ignore'; reason: 'group' | 'broadcast' | 'newsletter' | 'invalid'; raw: string };

const PHONE_JID = /^(\d+)(?::\d+)?@(s\.whatsapp\.net|c\.us)$/;
const LID_JID = /^(\d+)(?::\d+)?@lid$/;

/**
 * WhatsApp accounts of Brazilian mobiles created before the 9th digit still use 12-digit ids
 * (55 + DDD + 8 digits starting 6-9). The same person on SMS or Meta has the 13-digit number, so
 * the canonical address gets the 9 back; the raw id stays for replies.
 */
export function canonicalBrazilMobile(digits: string): string {
  if (digits.length === 12 && digits.startsWith('55') && /[6-9]/.test(digits[4])) {
    return `${digits.slice(0, 4)}9${digits.slice(4)}`;
  }
  return digits;
}

/** International digits (as WhatsApp ids carry them) -> E.164, or null if not a plausible number. */
export function e164FromInternationalDigits(digits: string): string | null {
  if (!/^\d{7,15}$/.test(digits)) return null;
  const canonical = canonicalBrazilMobile(digits);
  const parsed = parsePhoneNumberFromString(`+${canonical}`);
  // WhatsApp ids are phone numbers the network already accepted: keep them even when metadata
  // disagrees (new ranges), but use libphonenumber's formatting when it recognises them.
  return parsed?.isPossible() ? parsed.number : `+${canonical}`;
}

/**
 * A number typed by a person in any format (`(11) 98765-0001`, `07700 900123`, `+44 7700...`,
 * `5511987650001`) -> E.164 using the tenant's default country for national formats.
 */
export function normalizeTypedPhone(input: string, defaultCountry: string): string | null {
  const trimmed = input.trim();
  if (trimmed === '') return null;
  const country = (/^[A-Z]{2}$/.test(defaultCountry) ? defaultCountry : undefined) as CountryCode | undefined;
  const cleaned = trimmed.replace(/[^\d+]/g, '');
  // Bare international digits (a WhatsApp id pasted in) are read as international when the
  // national reading is not a valid number.
  const parsed = parsePhoneNumberFromString(trimmed, country);
  if (parsed?.isValid()) return fixBrazil(parsed.number);
  if (/^\d{10,15}$/.test(cleaned)) {
    const intl = parsePhoneNumberFromString(`+${cleaned}`);
    if (intl?.isValid()) return fixBrazil(intl.number);
  }
  if (parsed?.isPossible()) return fixBrazil(parsed.number);
  return null;
}

function fixBrazil(e164: string): string {
  return `+${canonicalBrazilMobile(e164.slice(1))}`;
}

/**
 * Identity of a WhatsApp JID as Evolution/Baileys delivers it, with the phone alternative
 * (`remoteJidAlt`, `senderPn`) that newer versions add next to a `@lid`.
 */
export function identityFromJid(jid: string, phoneAlt?: string | null): Identity {
  const raw = jid.trim();
  if (raw.endsWith('@g.us')) return { kind: 'ignore', reason: 'group', raw };
  if (raw === 'status@broadcast' || raw.endsWith('@broadcast')) return { kind: 'ignore', reason: 'broadcast', raw };
  if (raw.endsWith('@newsletter')) return { kind: 'ignore', reason: 'newsletter', raw };

  const phoneMatch = PHONE_JID.exec(raw);
  if (phoneMatch) {
    const phone = e164FromInternationalDigits(phoneMatch[1]);
    if (!phone) return { kind: 'ignore', reason: 'invalid', raw };
    return { kind: 'person', address: phone, phone, raw, aliases: [] };
  }
  const lidMatch = LID_JID.exec(raw);
  if (lidMatch) {
    const lid = `lid:${lidMatch[1]}`;
    const alt = phoneAlt ? PHONE_JID.exec(phoneAlt.trim()) : null;
    const phone = alt ? e164FromInternationalDigits(alt[1]) : null;
    if (phone) {
      // Reply to the phone JID: it is stable, the LID mapping is not guaranteed on every send path.
      return { kind: 'person', address: phone, phone, raw: phoneAlt!.trim(), aliases: [lid] };
    }
    return { kind: 'person', address: lid, phone: null, raw, aliases: [] };
  }
  return { kind: 'ignore', reason: 'invalid', raw };
}

/** The digits-or-JID form Evolution's `number` field takes for a thread's raw address. */
export function evolutionNumber(rawAddress: string): string {
  const m = PHONE_JID.exec(rawAddress);
  if (m) return m[1];
  if (rawAddress.startsWith('+')) return rawAddress.slice(1);
  return rawAddress;
}
