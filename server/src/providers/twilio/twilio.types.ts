/**
 * Twilio Programmable Messaging wire shapes (PROTOCOLS.md §4). Webhooks are form-encoded, so a
 * webhook is a bag of named string values; a name can repeat (every value is kept, because
 * signatures cover each one).
 */
export type TwilioParams = Record<string, string[]>;

/**
 * `MessageStatus` values (twilio-node src/rest/api/v2010/account/message.ts `MessageStatus`).
 * https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks
 */
export type TwilioMessageStatus =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'failed'
  | 'delivered'
  | 'undelivered'
  | 'receiving'
  | 'received'
  | 'accepted'
  | 'scheduled'
  | 'read'
  | 'partially_delivered'
  | 'canceled';

/** The Message resource (REST answer to a send and to GET Messages/{sid}.json). */
export interface TwilioMessageResource {
  sid?: string;
  account_sid?: string;
  messaging_service_sid?: string | null;
  from?: string | null;
  to?: string;
  body?: string;
  status?: TwilioMessageStatus | string;
  error_code?: number | null;
  error_message?: string | null;
  direction?: string;
  num_media?: string;
  num_segments?: string;
  date_created?: string;
  date_sent?: string | null;
  date_updated?: string;
}

/** Twilio's REST error body (twilio-node src/base/RestException.ts). */
export interface TwilioRestErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
}

/** GET /2010-04-01/Accounts/{sid}.json (twilio-node src/rest/api/v2010/account.ts). */
export interface TwilioAccount {
  sid?: string;
  friendly_name?: string;
  status?: 'active' | 'suspended' | 'closed' | string;
  type?: 'Trial' | 'Full' | string;
}

/** GET /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json?PhoneNumber=... */
export interface TwilioIncomingPhoneNumberList {
  incoming_phone_numbers?: { sid?: string; phone_number?: string; friendly_name?: string; sms_url?: string | null }[];
}
