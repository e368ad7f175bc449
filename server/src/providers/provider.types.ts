import type { ChannelState, LocationView, MessageKind, MessageStatus, ProviderKind } from '@switchboard/contracts';
import type { Identity } from '../contacts/identity';
import type { StoredMedia } from '../messages/message.entity';
import type { ProviderError } from './provider-error';

/** What an adapter needs to know about a channel: passed per call, adapters keep no state. */
export interface ChannelContext {
  id: string;
  provider: ProviderKind;
  config: Record<string, string>;
  secrets: Record<string, string>;
}

/** An HTTP webhook as received: the raw bytes are kept because signatures cover bytes. */
export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  body: unknown;
  /** Path after /webhooks/:provider, e.g. "/messages-upsert" when Evolution uses byEvents. */
  subPath: string;
}

/** The first, cheap look at a webhook: enough to route, dedupe and store it. */
export interface WebhookEnvelope {
  /** Matches Channel.routingKey; null routes to the provider's only channel (mock). */
  routingKey: string | null;
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
  | { type: 'ignored'; reason: string };

export interface OutboundText {
  /** The thread's raw provider address (JID), what the provider wants in its `to`. */
  to: string;
  /** Canonical address (E.164 or lid:...). */
  address: string;
  text: string;
  replyTo: { providerMessageId: string; fromMe: boolean; body: string | null } | null;
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
