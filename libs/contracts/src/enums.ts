/** Enumerations shared by server and client. Plain string unions: no runtime dependencies. */

export const PROVIDER_KINDS = ['mock', 'evolution', 'waha', 'meta', 'twilio', 'android_sms'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export type MessageDirection = 'inbound' | 'outbound' | 'system';
export type MessageOrigin = 'contact' | 'agent' | 'assistant' | 'device' | 'system';
export type MessageKind =
  | 'text'
  | 'image'
  | 'audio'
  | 'voice'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contact'
  | 'note'
  | 'task'
  | 'call'
  | 'template'
  | 'unsupported';

/**
 * Delivery status of a message. Ordered by the lattice pending < sent < delivered < read < played;
 * `failed` is terminal for a message not yet delivered (see status-lattice.ts).
 */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed';

export type ThreadStatus = 'open' | 'pending' | 'resolved' | 'snoozed';

/** Neutral provider error codes (DESIGN.md §6). The first three are retryable. */
export type ProviderErrorCode =
  'rate_limited' | 'unavailable' | 'timeout' | 'auth' | 'invalid_recipient' | 'window_closed' | 'bad_request' | 'opted_out' | 'unknown';

/**
 * A channel's connection as last seen: `qr_required` while an unofficial WhatsApp gateway waits
 * for its QR to be scanned (the channel view carries the QR), `needs_reauth` when the provider
 * refused our credentials (token expired, session logged out) and an admin must act.
 */
export type ChannelState = 'connected' | 'connecting' | 'qr_required' | 'disconnected' | 'needs_reauth' | 'refused' | 'unknown';
