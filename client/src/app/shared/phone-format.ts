/**
 * Display formatting for thread addresses. Deliberately small (no metadata library in the
 * bundle): E.164 numbers get the country code split off and common national groupings applied
 * (`+55 11 98765-0001`, `+1 415-555-0100`), other countries a neutral grouping; identity-only
 * addresses (`lid:…`, `bsuid:…`) are shortened.
 */

/** Two-digit country calling codes (everything else starting 2-9 is three digits; 1 and 7 are one). */
const TWO_DIGIT_CC = new Set([
  '20',
  '27',
  '30',
  '31',
  '32',
  '33',
  '34',
  '36',
  '39',
  '40',
  '41',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '49',
  '51',
  '52',
  '53',
  '54',
  '55',
  '56',
  '57',
  '58',
  '60',
  '61',
  '62',
  '63',
  '64',
  '65',
  '66',
  '81',
  '82',
  '84',
  '86',
  '90',
  '91',
  '92',
  '93',
  '94',
  '95',
  '98',
]);

function countryCodeLength(digits: string): number {
  if (digits.startsWith('1') || digits.startsWith('7')) return 1;
  return TWO_DIGIT_CC.has(digits.slice(0, 2)) ? 2 : 3;
}

/** Split `s` into chunks of the given sizes; any remainder becomes a last chunk. */
function chunks(s: string, sizes: number[]): string[] {
  const out: string[] = [];
  let i = 0;
  for (const size of sizes) {
    if (i >= s.length) break;
    out.push(s.slice(i, i + size));
    i += size;
  }
  if (i < s.length) out.push(s.slice(i));
  return out;
}

/** Neutral grouping: threes, with a trailing group of four rather than a dangling digit. */
function genericGroups(n: string): string {
  if (n.length <= 4) return n;
  const groups: string[] = [];
  let rest = n;
  while (rest.length > 4) {
    groups.push(rest.slice(0, 3));
    rest = rest.slice(3);
  }
  groups.push(rest);
  return groups.join(' ');
}

function nationalFormat(cc: string, n: string): string {
  switch (cc) {
    case '1':
      if (n.length === 10) return `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`;
      break;
    case '55': // Brazil: 2-digit area code, 8 (landline) or 9 (mobile) digits
      if (n.length === 11) return `${n.slice(0, 2)} ${n.slice(2, 7)}-${n.slice(7)}`;
      if (n.length === 10) return `${n.slice(0, 2)} ${n.slice(2, 6)}-${n.slice(6)}`;
      break;
    case '54': // Argentina mobiles: 9 + area + number
      if (n.length === 11 && n.startsWith('9')) return `9 ${n.slice(1, 3)} ${n.slice(3, 7)}-${n.slice(7)}`;
      break;
    case '52':
      if (n.length === 10) return chunks(n, [2, 4, 4]).join(' ');
      break;
    case '44':
      if (n.length === 10 && n.startsWith('7')) return `${n.slice(0, 4)} ${n.slice(4)}`;
      if (n.length === 10 && n.startsWith('2')) return chunks(n, [2, 4, 4]).join(' ');
      break;
    case '34':
      if (n.length === 9) return chunks(n, [3, 2, 2, 2]).join(' ');
      break;
    case '351':
      if (n.length === 9) return chunks(n, [3, 3, 3]).join(' ');
      break;
    case '91':
      if (n.length === 10) return `${n.slice(0, 5)} ${n.slice(5)}`;
      break;
  }
  return genericGroups(n);
}

/** Human form of a thread address. */
export function formatAddress(address: string | null | undefined): string {
  if (!address) return '';
  if (isPhoneAddress(address)) {
    const digits = address.slice(1).replace(/\D/g, '');
    if (digits.length < 6) return address;
    const ccLen = countryCodeLength(digits);
    const cc = digits.slice(0, ccLen);
    return `+${cc} ${nationalFormat(cc, digits.slice(ccLen))}`;
  }
  const colon = address.indexOf(':');
  if (colon > 0) {
    const scheme = address.slice(0, colon).toUpperCase();
    const id = address.slice(colon + 1);
    return `${scheme} ${id.length > 10 ? `${id.slice(0, 4)}…${id.slice(-4)}` : id}`;
  }
  return address;
}

/** True when the address is an E.164 phone number rather than an opaque provider identity. */
export function isPhoneAddress(address: string | null | undefined): boolean {
  return !!address && /^\+\d[\d\s-]{4,}$/.test(address);
}

/** Digits that make a search look like a phone number being typed (to offer a new chat). */
const MIN_TYPED_DIGITS = 6;

/**
 * A phone number being typed, lightly tidied for display (`+447700900123` → `+44 7700 900123`,
 * `(11)  98765-0001` → `(11) 98765-0001`), or null when the text is not one. Only for display:
 * the server parses what was typed, national formats included.
 */
export function typedPhoneNumber(text: string): string | null {
  const typed = text.trim().replace(/\s+/g, ' ');
  if (!/^\+?[\d\s().\/-]+$/.test(typed)) return null;
  const digits = typed.replace(/\D/g, '');
  if (digits.length < MIN_TYPED_DIGITS) return null;
  // International with no grouping of its own: group it the way the list shows numbers.
  return /^\+\d+$/.test(typed) ? formatAddress(typed) : typed;
}
