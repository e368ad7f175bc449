/**
 * WAHA message ids and chat ids (PROTOCOLS.md §2.3).
 *
 * A serialized id is `<fromMe>_<chatId>_<waId>[_<participant>]`, e.g.
 * `false_919876543210@c.us_3A0B6E2D91C47F58A2E1`; group messages in NOWEB/GOWS add the author.
 * The 2nd segment is the chat on every engine, which `from` is not: NOWEB/GOWS `from` is the chat
 * even for our own messages, WEBJS `from` is the sender (us when fromMe). The inbox stores WAHA
 * messages under their serialized id, because `reply_to` and acks use that form.
 */
const SERIALIZED = /^(true|false)_([^_@]+@[^_]+)_([^_]+)(?:_(.+))?$/;
const PHONE_JID = /^(\d+)(?::\d+)?@(?:s\.whatsapp\.net|c\.us)$/;

export interface SerializedId {
  fromMe: boolean;
  chat: string;
  id: string;
  participant: string | null;
}

export function parseSerializedId(value: string): SerializedId | null {
  const m = SERIALIZED.exec(value);
  if (!m) return null;
  return { fromMe: m[1] === 'true', chat: m[2], id: m[3], participant: m[4] ?? null };
}

/**
 * WAHA's own spelling of a chat id: `@s.whatsapp.net` becomes `@c.us` and a device suffix
 * (`:14`) is dropped; `@lid`, `@g.us`, `@newsletter`, `status@broadcast` stay as they are.
 */
export function toCus(jid: string): string {
  const trimmed = jid.trim();
  const phone = PHONE_JID.exec(trimmed);
  if (phone) return `${phone[1]}@c.us`;
  return trimmed.replace(/:\d+@lid$/, '@lid');
}

/** The serialized id for an id that may be bare (NOWEB sometimes sends the bare WhatsApp id). */
export function serializedId(id: string, fromMe: boolean, chat: string | null): string | null {
  if (parseSerializedId(id)) return id;
  if (!chat) return null;
  return `${fromMe}_${toCus(chat)}_${id}`;
}

/** Same person? Compares the user part of two JIDs (phone or LID), ignoring server and device. */
export function sameUser(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const user = (jid: string): string => toCus(jid).split('@')[0];
  const server = (jid: string): string => (toCus(jid).split('@')[1] ?? '').toLowerCase();
  return user(a) === user(b) && server(a) === server(b);
}
