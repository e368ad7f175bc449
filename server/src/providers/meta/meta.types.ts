/**
 * Meta WhatsApp Cloud API wire shapes (shared PROTOCOLS.md §3). Only the fields the inbox reads
 * are typed; everything is optional because Meta adds and omits fields by version and by user
 * (usernames users have no `from`/`wa_id`).
 */
export interface MetaNotification {
  object?: string;
  entry?: MetaEntry[];
}

export interface MetaEntry {
  /** The WhatsApp Business Account id. */
  id?: string;
  changes?: MetaChange[];
}

export interface MetaChange {
  field?: string;
  value?: MetaChangeValue;
}

export interface MetaChangeValue {
  messaging_product?: string;
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  contacts?: MetaContact[];
  messages?: MetaMessage[];
  statuses?: MetaStatus[];
  /** `field: smb_message_echoes` (coexistence numbers): messages typed in the WhatsApp Business app. */
  message_echoes?: MetaEcho[];
  errors?: MetaError[];
}

export interface MetaContact {
  wa_id?: string;
  /** Business-scoped user id (BSUID), e.g. `US.13502469813579`. */
  user_id?: string;
  parent_user_id?: string;
  profile?: { name?: string; username?: string };
}

export interface MetaMedia {
  id?: string;
  mime_type?: string;
  sha256?: string;
  url?: string;
  caption?: string;
  filename?: string;
  voice?: boolean;
  animated?: boolean;
}

export interface MetaMessageContent {
  type?: string;
  text?: { body?: string };
  image?: MetaMedia;
  video?: MetaMedia;
  audio?: MetaMedia;
  document?: MetaMedia;
  sticker?: MetaMedia;
  location?: { latitude?: number; longitude?: number; name?: string; address?: string; url?: string };
  contacts?: { name?: { formatted_name?: string; first_name?: string } }[];
  reaction?: { message_id?: string; emoji?: string };
  interactive?: {
    type?: string;
    button_reply?: { id?: string; title?: string };
    list_reply?: { id?: string; title?: string; description?: string };
    nfm_reply?: { name?: string; body?: string; response_json?: string };
  };
  button?: { text?: string; payload?: string };
  unsupported?: { type?: string };
  system?: { body?: string; type?: string };
  /** Echoes only: the business deleted or edited a message in the app. */
  revoke?: { original_message_id?: string };
  edit?: { original_message_id?: string; message?: unknown };
}

export interface MetaMessage extends MetaMessageContent {
  from?: string;
  from_user_id?: string;
  id?: string;
  timestamp?: string;
  group_id?: string;
  context?: { from?: string; id?: string; forwarded?: boolean };
  errors?: MetaError[];
}

export interface MetaEcho extends MetaMessageContent {
  /** The business's own number. */
  from?: string;
  /** The user: the `input` the business typed, so possibly with `+`. */
  to?: string;
  to_user_id?: string;
  id?: string;
  timestamp?: string;
  group_id?: string;
  context?: { from?: string; id?: string };
}

export interface MetaStatus {
  id?: string;
  status?: string;
  timestamp?: string;
  recipient_id?: string;
  recipient_user_id?: string;
  /** `group` for statuses of messages sent to a Groups API group. */
  recipient_type?: string;
  errors?: MetaError[];
}

export interface MetaError {
  code?: number;
  title?: string;
  message?: string;
  error_data?: { details?: string };
  href?: string;
}

/** Graph API error envelope (PROTOCOLS.md §3.9). */
export interface MetaErrorBody {
  error?: {
    message?: string;
    type?: string;
    code?: number;
    error_subcode?: number;
    error_data?: { messaging_product?: string; details?: string };
    fbtrace_id?: string;
  };
}

export interface MetaSendResponse {
  messaging_product?: string;
  contacts?: { input?: string; wa_id?: string; user_id?: string }[];
  messages?: { id?: string; message_status?: string }[];
}

export interface MetaPhoneNumberNode {
  verified_name?: string;
  display_phone_number?: string;
  quality_rating?: string;
  id?: string;
}

export interface MetaMediaNode {
  url?: string;
  mime_type?: string;
  sha256?: string;
  file_size?: string;
  id?: string;
}

/** A template send (PROTOCOLS.md §3.6); components are passed through as Meta defines them. */
export interface MetaTemplate {
  name: string;
  language: { code: string };
  components?: Record<string, unknown>[];
}

/** GET /<waba-id>/message_templates (Graph cursor paging). */
export interface MetaTemplateList {
  data?: {
    name?: string;
    language?: string;
    status?: string;
    category?: string;
    components?: { type: string; format?: string; text?: string }[];
  }[];
  paging?: { cursors?: { before?: string; after?: string }; next?: string };
}
