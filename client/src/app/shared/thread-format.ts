import type { ThreadView } from '@switchboard/contracts';

import { formatAddress } from './phone-format';

/** The contact's own name, if one is known (drives initials vs the phone glyph). */
export function contactName(t: ThreadView): string | null {
  const name = t.contact?.name?.trim();
  if (name) return name;
  const display = t.displayName?.trim();
  if (display && display !== t.address && !/^[+\d\s().-]+$/.test(display) && !display.includes(':')) return display;
  return null;
}

/** What to call the thread: the contact's name, else the formatted number / identity. */
export function threadTitle(t: ThreadView): string {
  const name = contactName(t);
  if (name) return name;
  // The server formats numbers into displayName when there is no name; keep its formatting.
  const display = t.displayName?.trim();
  return display && display !== t.address ? display : formatAddress(t.address);
}
