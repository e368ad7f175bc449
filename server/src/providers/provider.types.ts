import type { ChannelState, LocationView, TemplateRef, MessageKind, MessageStatus, ProviderKind } from '@switchboard/contracts';
import type { Identity } from '../contacts/identity';
import type { StoredMedia } from '../messages/message.entity';
import type { ProviderError } from './provider-error';

/** What an adapter needs to know about a channel: passed per call, adapters keep no state. */
export interface ChannelContext {
  id: string;
  provider: ProviderKind;
  config: Record<string, string>;
  secrets: Record<string, string>;
  /** Our webhook URL for this provider (PUBLIC_BASE_URL/api/comms/webhooks/<provider>). */
  callbackUrl: string;
}

/** An HTTP webhook as received: the raw bytes are kept because signatures cover bytes. */
export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  body: unknown;
  /** Path after /webhooks/:provider, e.g. "/messages-upsert" when Evolution uses byEvents. */
  subPath: string;
  /**
   * The URL the provider called, as the public sees it: PUBLIC_BASE_URL + path + query string.
   * Twilio signs this URL, so it must be rebuilt exactly (scheme and host behind a TLS proxy).
   */
  publicUrl: string;
}

/** The first, cheap look at a webhook: enough to route, dedupe and store it. */
export interface WebhookEnvelope {
  /** Matches Channel.routingKey; null routes to the provider's only channel (mock). */
  routingKey: string | null;
  /**
   * Further keys tried in order when no channel has `routingKey` (Twilio: the Messaging Service
   * sid first, then the number the message was sent to).
   */
  fallbackRoutingKeys?: string[];
  /**
   * Routing keys of further channels the same request concerns (Meta batches changes for
   * several phone numbers of one WABA into one POST): the body is stored once per channel,
   * and each channel's ingest applies only its own part.
   */
  alsoRoutedTo?: string[];
  /** Unique per logical event: a redelivery produces the same key. */
  dedupeKey: string;
  eventType: string;
}

export type PersonIdentity = Extract<Identity, { kind: 'person' }>;

export interface InboundMessage {
  providerMessageId: string;
  /** Sent by the business (our API send echoed back, or typed on the phone). */
  fromMe: boolean;
  identity: PersonIdentity;
  /** The sender's profile name; only meaningful when !fromMe. */
  profileName: string | null;
  kind: MessageKind;
  body: string | null;
  sentAt: Date;
  media: StoredMedia | null;
  location: LocationView | null;
  replyToProviderId: string | null;
  /** The media bytes when the provider put them in the webhook itself (Evolution `base64: true`). */
  inlineMedia: Buffer | null;
  /** Provider's initial status for fromMe messages. */
  status: MessageStatus | null;
}

/** Neutral events: the only thing ingest knows about providers. */
export type NeutralEvent =
  | { type: 'message'; message: InboundMessage }
  | { type: 'status'; providerMessageId: string; status: MessageStatus; error: ProviderError | null }
  | {
      type: 'reaction';
      targetProviderMessageId: string;
      emoji: string;
      fromMe: boolean;
      identity: PersonIdentity;
    }
  | { type: 'deleted'; providerMessageId: string }
  | { type: 'connection'; state: ChannelState; ownAddress: string | null; needsReauth: boolean; qr: string | null }
  /** The person asked to stop (STOP) or resume (START) messages on this channel's medium. */
  | { type: 'opt_out'; identity: PersonIdentity; optedOut: boolean }
  | { type: 'ignored'; reason: string };

export interface OutboundText {
  /** The thread's raw provider address (JID), what the provider wants in its `to`. */
  to: string;
  /** Canonical address (E.164 or lid:...). */
  address: string;
  text: string;
  replyTo: { providerMessageId: string; fromMe: boolean; body: string | null } | null;
  /**
   * Our message id. Adapters whose provider takes a client-chosen id (the Android gateway
   * skips a send whose id it already has) pass it, so a retry after a lost answer never sends twice.
   */
  messageId?: string;
}

/** A file an agent attached, sent as one provider message (caption in the same message where possible). */
export interface OutboundMedia {
  to: string;
  address: string;
  kind: 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';
  caption: string | null;
  mimeType: string;
  fileName: string;
  bytes: Buffer;
  /**
   * A time-limited public URL serving the same bytes, for providers that fetch media by URL
   * (Twilio MediaUrl, WAHA/Evolution `url` mode) instead of taking them inline.
   */
  publicUrl: string;
  replyTo: OutboundText['replyTo'];
  messageId?: string;
}

/** A WhatsApp template as the provider lists it (components kept in the provider's shape). */
export interface ProviderTemplate {
  name: string;
  language: string;
  status: string;
  category: string;
  components: { type: string; format?: string; text?: string }[];
}

export interface OutboundTemplate {
  to: string;
  address: string;
  template: TemplateRef;
}

/** How the webhook door acknowledged an event: stored now, or a duplicate of one stored before. */
export interface WebhookAckInfo {
  duplicate: boolean;
  eventId: string | null;
}

/** The body of a 200 answer to an accepted webhook, for providers that expect more than JSON. */
export interface WebhookReply {
  contentType: string;
  body: string;
}

/** A delivery state read back from the provider (receipt polling). */
export interface PolledStatus {
  status: MessageStatus;
  error: ProviderError | null;
}

export interface SendResult {
  providerMessageId: string;
}

/** A media file's bytes as the provider hands them over. */
export interface FetchedMedia {
  bytes: Buffer;
  mimeType: string | null;
  fileName: string | null;
}

export interface ConnectionCheck {
  name: string;
  ok: boolean;
  detail?: string;
  /**
   * On the check named `connection` only: the channel state the provider reported (`qr_required`
   * with `qr`, `needs_reauth` for refused credentials) and the channel's own number when known.
   * Without it the state is `connected` when the check passed, `disconnected` when not.
   */
  state?: ChannelState;
  qr?: string | null;
  address?: string | null;
}

/**
 * One stateless adapter per provider. Each speaks its provider's exact wire format and keeps
 * its quirks (with links to the docs that explain them) inside its own folder.
 */
export interface Provider {
  readonly kind: ProviderKind;
  /** Throws WebhookRejection when the request is not authentic for this channel. */
  verifyWebhook(req: WebhookRequest, channel: ChannelContext): void;
  /** Throws WebhookRejection (400) when required fields are missing. */
  describeWebhook(req: WebhookRequest): WebhookEnvelope;
  parseWebhook(body: unknown, channel: ChannelContext): NeutralEvent[];
  /** The raw address to send to for a phone number an agent typed (E.164). */
  rawAddressForPhone(e164: string): string;
  sendText(channel: ChannelContext, msg: OutboundText): Promise<SendResult>;
  testConnection(channel: ChannelContext, callbackUrl: string): Promise<ConnectionCheck[]>;
  /** The bytes of a message's media (by StoredMedia.providerRef); absent where a provider has none. */
  fetchMedia?(channel: ChannelContext, providerRef: string): Promise<FetchedMedia>;
  /** Sends a file; absent where the provider cannot carry media (plain SMS gateways). */
  sendMedia?(channel: ChannelContext, msg: OutboundMedia): Promise<SendResult>;
  /**
   * Asks the provider for an outbound message's current delivery state (the receipts poller);
   * null when the provider no longer knows it. Absent where the provider has no such endpoint.
   */
  fetchStatus?(channel: ChannelContext, providerMessageId: string, to: string): Promise<PolledStatus | null>;
  /**
   * Asks the provider to replay the inbound messages it received between `since` and `until`
   * through our webhook (the Android SMS gateway re-sends `sms:received` for every SMS of the
   * period). Resolves once the provider accepted the request; the messages arrive later, like
   * live ones, and ingest deduplicates them by provider message id. `total` is how many will
   * come when the provider says so, else null. Absent where a provider cannot replay history.
   */
  requestHistory?(channel: ChannelContext, since: Date, until: Date): Promise<{ total: number | null }>;
  /**
   * The answer to an accepted webhook (stored or duplicate) when the provider wants a specific
   * body (Twilio: TwiML). Absent: the JSON acknowledgement. Rejections keep their JSON errors.
   */
  webhookReply?(ack: WebhookAckInfo): WebhookReply;
  /** The channel's message templates (WhatsApp Cloud API); absent where there are none. */
  listTemplates?(channel: ChannelContext): Promise<ProviderTemplate[]>;
  sendTemplate?(channel: ChannelContext, msg: OutboundTemplate): Promise<SendResult>;
}

/** A webhook we refuse: the status code and a message naming the problem. */
export class WebhookRejection extends Error {
  constructor(
    readonly statusCode: 400 | 401 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}
