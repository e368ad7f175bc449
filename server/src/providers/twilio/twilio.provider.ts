import { Injectable } from '@nestjs/common';
import { httpBytes } from '../http-client';
import { ProviderError } from '../provider-error';
import type {
  ChannelContext,
  ConnectionCheck,
  FetchedMedia,
  NeutralEvent,
  OutboundMedia,
  OutboundText,
  PolledStatus,
  Provider,
  SendResult,
  WebhookEnvelope,
  WebhookReply,
  WebhookRequest,
} from '../provider.types';
import { verifyTwilioSignature } from './twilio-auth';
import { twilioRestError } from './twilio-errors';
import { describeTwilioWebhook, parseTwilioWebhook, polledStatus } from './twilio.parse';
import type { TwilioAccount, TwilioIncomingPhoneNumberList, TwilioMessageResource } from './twilio.types';

export const DEFAULT_TWILIO_API_BASE_URL = 'https://api.twilio.com';
const API_VERSION = '2010-04-01';
const TIMEOUT_MS = 15_000;
const MEDIA_TIMEOUT_MS = 60_000;

/** An empty TwiML document: "received, no reply" (https://www.twilio.com/docs/messaging/twiml). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

interface TwilioResponse {
  status: number;
  body: unknown;
  text: string;
}

/**
 * Twilio Programmable Messaging, SMS/MMS (https://www.twilio.com/docs/messaging, PROTOCOLS.md §4).
 * Quirks handled here: form-encoded webhooks signed over the public URL plus the sorted params
 * (not the bytes), inbound and status callbacks on one URL, a TwiML answer to inbound webhooks,
 * one MMS carrying several files, STOP/START handled by Twilio itself (later sends fail with
 * 21610), media behind Basic auth that redirects to a CDN, and no callback for the initial status.
 */
@Injectable()
export class TwilioProvider implements Provider {
  readonly kind = 'twilio' as const;

  verifyWebhook(req: WebhookRequest, channel: ChannelContext): void {
    verifyTwilioSignature(req, channel.secrets.authToken);
  }

  describeWebhook(req: WebhookRequest): WebhookEnvelope {
    return describeTwilioWebhook(req);
  }

  parseWebhook(body: unknown): NeutralEvent[] {
    return parseTwilioWebhook(body);
  }

  /**
   * Twilio answers an inbound webhook's response as TwiML; anything else is logged as error 12300
   * in the console. An empty <Response/> means no auto-reply. Status callbacks ignore the body.
   * https://www.twilio.com/docs/messaging/guides/webhook-request
   */
  webhookReply(): WebhookReply {
    return { contentType: 'text/xml', body: EMPTY_TWIML };
  }

  rawAddressForPhone(e164: string): string {
    return e164;
  }

  async sendText(channel: ChannelContext, msg: OutboundText): Promise<SendResult> {
    // SMS has no quoted replies: replyTo is dropped.
    return this.send(channel, msg.address, [['Body', msg.text]], 'Twilio send SMS');
  }

  /** Twilio fetches the file from MediaUrl itself (our short-lived public URL); Body is the caption. */
  async sendMedia(channel: ChannelContext, msg: OutboundMedia): Promise<SendResult> {
    const fields: [string, string][] = [];
    if (msg.caption) fields.push(['Body', msg.caption]);
    fields.push(['MediaUrl', msg.publicUrl]);
    return this.send(channel, msg.address, fields, 'Twilio send MMS');
  }

  /** GET Messages/{sid}.json; 404 when the message was deleted or belongs to another account. */
  async fetchStatus(channel: ChannelContext, providerMessageId: string): Promise<PolledStatus | null> {
    const res = await this.call(channel, 'GET', `/Messages/${encodeURIComponent(providerMessageId)}.json`, null, 'Twilio fetch message');
    if (res.status === 404) return null;
    if (res.status !== 200) throw twilioRestError(res.status, res.body, res.text, 'Twilio fetch message');
    const m = (res.body ?? {}) as TwilioMessageResource;
    return polledStatus(m.status, m.error_code);
  }

  async testConnection(channel: ChannelContext, callbackUrl: string): Promise<ConnectionCheck[]> {
    const from = channel.config.from || null;
    const service = channel.config.messagingServiceSid || null;
    const connection = await this.checkAccount(channel, from);
    const checks = [connection];
    if (!from && !service) {
      checks.push({ name: 'sender', ok: false, detail: 'set a sending number (from) or a Messaging Service SID' });
    }
    if (connection.ok && from) checks.push(await this.checkNumber(channel, from));
    // Twilio has no API call we could make for the Messaging Service's URLs without more scopes;
    // the admin sets them once in the console. Every send also sets StatusCallback itself.
    const where = service ? `Messaging Service ${service}` : from ? `number ${from}` : 'number or Messaging Service';
    checks.push({
      name: 'webhook',
      ok: true,
      detail: `in the Twilio console, set ${callbackUrl} (HTTP POST) as the incoming message URL and the status callback URL of the ${where}`,
    });
    return checks;
  }

  /**
   * MediaUrl{N} is the Media resource on the API host; Twilio enforces Basic auth on it and
   * redirects to a CDN (https://www.twilio.com/docs/messaging/api/media-resource). The URL comes
   * from the webhook, so it is only fetched when it is on the channel's own API origin: our
   * credentials go nowhere else. fetch() drops Authorization on a redirect to another origin
   * (https://fetch.spec.whatwg.org/#http-redirect-fetch), so the CDN never sees them either.
   */
  async fetchMedia(channel: ChannelContext, providerRef: string): Promise<FetchedMedia> {
    let target: URL;
    try {
      target = new URL(providerRef);
    } catch {
      throw new ProviderError('bad_request', `Twilio media reference is not a URL: ${providerRef.slice(0, 200)}`);
    }
    const origin = apiOrigin(channel);
    if (target.origin !== origin) {
      throw new ProviderError('bad_request', `refusing to fetch Twilio media from ${target.origin}: only ${origin} gets our credentials`);
    }
    const res = await httpBytes('GET', target.toString(), {
      headers: { authorization: basicAuth(channel) },
      timeoutMs: MEDIA_TIMEOUT_MS,
      what: 'Twilio media download',
    });
    if (res.status !== 200) {
      const text = res.bytes.toString('utf8');
      throw twilioRestError(res.status, parseJson(text), text, 'Twilio media download');
    }
    return { bytes: res.bytes, mimeType: res.contentType, fileName: null };
  }

  private async send(channel: ChannelContext, to: string, content: [string, string][], what: string): Promise<SendResult> {
    if (!/^\+\d{7,15}$/.test(to)) throw new ProviderError('invalid_recipient', `${what}: ${to} is not an E.164 phone number`);
    const service = channel.config.messagingServiceSid;
    const from = channel.config.from;
    if (!service && !from)
      throw new ProviderError('bad_request', `${what}: the channel has neither a sending number nor a Messaging Service`);
    const form = new URLSearchParams([['To', to]]);
    // With a Messaging Service, Twilio picks the sender from its pool (sticky sender, geo match).
    if (service) form.append('MessagingServiceSid', service);
    else form.append('From', from);
    for (const [name, value] of content) form.append(name, value);
    form.append('StatusCallback', channel.callbackUrl);
    const res = await this.call(channel, 'POST', '/Messages.json', form, what);
    if (res.status !== 201 && res.status !== 200) throw twilioRestError(res.status, res.body, res.text, what);
    const sid = (res.body as TwilioMessageResource | null)?.sid;
    if (typeof sid !== 'string' || sid === '') {
      throw new ProviderError('unknown', `${what}: Twilio accepted the message but returned no sid`, null, false);
    }
    return { providerMessageId: sid };
  }

  private async checkAccount(channel: ChannelContext, from: string | null): Promise<ConnectionCheck> {
    let res: TwilioResponse;
    try {
      res = await this.call(channel, 'GET', '.json', null, 'Twilio account');
    } catch (err) {
      return { name: 'connection', ok: false, detail: (err as Error).message };
    }
    if (res.status === 401) {
      return {
        name: 'connection',
        ok: false,
        state: 'needs_reauth',
        detail: twilioRestError(401, res.body, res.text, 'Twilio account').message,
      };
    }
    if (res.status !== 200)
      return { name: 'connection', ok: false, detail: twilioRestError(res.status, res.body, res.text, 'Twilio account').message };
    const account = (res.body ?? {}) as TwilioAccount;
    const name = `${account.friendly_name ?? account.sid ?? 'account'}${account.type ? ` (${account.type})` : ''}`;
    if (account.status === 'active')
      return { name: 'connection', ok: true, state: 'connected', address: from, detail: `${name} is active` };
    return { name: 'connection', ok: false, state: 'disconnected', detail: `${name} is ${account.status ?? 'in an unknown state'}` };
  }

  /** The sending number must be one of the account's own (IncomingPhoneNumbers, filtered by PhoneNumber). */
  private async checkNumber(channel: ChannelContext, from: string): Promise<ConnectionCheck> {
    try {
      const res = await this.call(
        channel,
        'GET',
        `/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(from)}`,
        null,
        'Twilio numbers',
      );
      if (res.status !== 200) throw twilioRestError(res.status, res.body, res.text, 'Twilio numbers');
      const found = ((res.body ?? {}) as TwilioIncomingPhoneNumberList).incoming_phone_numbers ?? [];
      const number = found.find((n) => n.phone_number === from);
      if (!number) return { name: 'number', ok: false, detail: `${from} is not a phone number of this Twilio account` };
      return {
        name: 'number',
        ok: true,
        detail: `${from}${number.friendly_name ? ` (${number.friendly_name})` : ''} belongs to this account`,
      };
    } catch (err) {
      return { name: 'number', ok: false, detail: (err as Error).message };
    }
  }

  /** One REST call under /2010-04-01/Accounts/{AccountSid}: form in, JSON out. */
  private async call(
    channel: ChannelContext,
    method: 'GET' | 'POST',
    path: string,
    form: URLSearchParams | null,
    what: string,
  ): Promise<TwilioResponse> {
    const url = `${apiBaseUrl(channel)}/${API_VERSION}/Accounts/${encodeURIComponent(channel.config.accountSid ?? '')}${path}`;
    const res = await httpBytes(method, url, {
      headers: {
        accept: 'application/json',
        authorization: basicAuth(channel),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? form.toString() : undefined,
      timeoutMs: TIMEOUT_MS,
      what,
    });
    const text = res.bytes.toString('utf8');
    return { status: res.status, body: parseJson(text), text };
  }
}

/** The channel's REST root without a trailing slash (apiBaseUrl points tests and proxies elsewhere). */
export function apiBaseUrl(channel: ChannelContext): string {
  return (channel.config.apiBaseUrl || DEFAULT_TWILIO_API_BASE_URL).replace(/\/+$/, '');
}

function apiOrigin(channel: ChannelContext): string {
  try {
    return new URL(apiBaseUrl(channel)).origin;
  } catch {
    throw new ProviderError('bad_request', `Twilio apiBaseUrl is not a URL: ${apiBaseUrl(channel)}`);
  }
}

/** HTTP Basic with AccountSid:AuthToken (PROTOCOLS.md §4.4). */
function basicAuth(channel: ChannelContext): string {
  const pair = `${channel.config.accountSid ?? ''}:${channel.secrets.authToken ?? ''}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
