import { Injectable } from '@nestjs/common';
import { ProviderError } from '../provider-error';
import { httpBytes, httpJson, type HttpResponse } from '../http-client';
import type {
  ChannelContext,
  ConnectionCheck,
  FetchedMedia,
  NeutralEvent,
  OutboundText,
  Provider,
  SendResult,
  WebhookEnvelope,
  WebhookRequest,
} from '../provider.types';
import { verifyMetaSignature } from './meta-auth';
import { graphError } from './meta-errors';
import { describeMetaWebhook, parseMetaWebhook } from './meta.parse';
import type { MetaMediaNode, MetaPhoneNumberNode, MetaSendResponse, MetaTemplate } from './meta.types';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com/v23.0';
const TIMEOUT_MS = 15_000;
const MEDIA_TIMEOUT_MS = 60_000;

/**
 * Meta WhatsApp Cloud API (developers.facebook.com/documentation/business-messaging/whatsapp,
 * PROTOCOLS.md §3). Quirks handled here: webhooks signed over Meta's escaped-unicode bytes,
 * many messages/statuses per POST, username users known only by a BSUID, two-step media
 * download through a short-lived URL, and errors keyed by Graph `code` rather than HTTP status.
 * Webhooks are registered in the Meta app dashboard, answering the GET handshake in meta-handshake.ts.
 */
@Injectable()
export class MetaProvider implements Provider {
  readonly kind = 'meta' as const;

  verifyWebhook(req: WebhookRequest, channel: ChannelContext): void {
    verifyMetaSignature(req, channel.secrets.appSecret);
  }

  describeWebhook(req: WebhookRequest): WebhookEnvelope {
    return describeMetaWebhook(req);
  }

  parseWebhook(body: unknown, channel: ChannelContext): NeutralEvent[] {
    return parseMetaWebhook(body, channel);
  }

  /** Meta's `to` takes international digits; the `+` is optional and left out, like wa_ids. */
  rawAddressForPhone(e164: string): string {
    return e164.replace(/^\+/, '');
  }

  async sendText(channel: ChannelContext, msg: OutboundText): Promise<SendResult> {
    const body: Record<string, unknown> = {
      ...recipient(msg.to),
      type: 'text',
      text: { preview_url: false, body: msg.text },
    };
    if (msg.replyTo) body.context = { message_id: msg.replyTo.providerMessageId };
    return this.send(channel, body, 'Meta send text');
  }

  /** Template send, the only message allowed outside the 24 h window (error 131047). */
  async sendTemplate(channel: ChannelContext, to: string, template: MetaTemplate): Promise<SendResult> {
    return this.send(channel, { ...recipient(to), type: 'template', template }, 'Meta send template');
  }

  async testConnection(channel: ChannelContext, callbackUrl: string): Promise<ConnectionCheck[]> {
    const checks: ConnectionCheck[] = [];
    try {
      const path = `/${encodeURIComponent(channel.config.phoneNumberId ?? '')}?fields=verified_name,display_phone_number,quality_rating`;
      const res = await this.call(channel, 'GET', path, undefined, 'Meta phone number');
      if (res.status !== 200) throw graphError(res.status, res.body, res.text, 'Meta phone number');
      const node = (res.body ?? {}) as MetaPhoneNumberNode;
      checks.push({
        name: 'connection',
        ok: true,
        detail: `${node.verified_name ?? 'unnamed'} (${node.display_phone_number ?? 'unknown number'}), quality ${node.quality_rating ?? 'unknown'}`,
      });
    } catch (err) {
      const dead = err instanceof ProviderError && err.providerCode === '190';
      checks.push({ name: 'connection', ok: false, detail: dead ? 'access token expired or invalid' : (err as Error).message });
    }
    // There is no API to register the callback: it is set with the verify token in the app dashboard.
    checks.push({
      name: 'webhook',
      ok: true,
      detail: `configure ${callbackUrl} with your verify token in the Meta app dashboard`,
    });
    return checks;
  }

  /**
   * Two steps (PROTOCOLS.md §3.7): GET /<media-id> for a URL that expires in ~5 minutes, then GET
   * that URL at once with the same Bearer token. The URL is followed wherever Meta points it.
   */
  async fetchMedia(channel: ChannelContext, providerRef: string): Promise<FetchedMedia> {
    const res = await this.call(channel, 'GET', `/${encodeURIComponent(providerRef)}`, undefined, 'Meta media');
    if (res.status !== 200) throw graphError(res.status, res.body, res.text, 'Meta media');
    const node = (res.body ?? {}) as MetaMediaNode;
    if (typeof node.url !== 'string' || node.url === '') {
      throw new ProviderError('unknown', 'Meta returned no download URL for this media', null, false);
    }
    const download = await httpBytes('GET', node.url, {
      headers: { authorization: `Bearer ${channel.secrets.accessToken ?? ''}` },
      timeoutMs: MEDIA_TIMEOUT_MS,
      what: 'Meta media download',
    });
    const bytes = download.bytes;
    if (download.status !== 200) {
      const text = bytes.toString('utf8');
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
      throw graphError(download.status, body, text, 'Meta media download');
    }
    return {
      bytes,
      mimeType: node.mime_type ?? download.contentType,
      fileName: null,
    };
  }

  private async send(channel: ChannelContext, payload: Record<string, unknown>, what: string): Promise<SendResult> {
    const path = `/${encodeURIComponent(channel.config.phoneNumberId ?? '')}/messages`;
    const res = await this.call(channel, 'POST', path, { messaging_product: 'whatsapp', recipient_type: 'individual', ...payload }, what);
    if (res.status !== 200) throw graphError(res.status, res.body, res.text, what);
    const id = (res.body as MetaSendResponse | null)?.messages?.[0]?.id;
    if (typeof id !== 'string' || id === '') {
      throw new ProviderError('unknown', `${what}: Meta accepted the send but returned no messages[0].id`, null, false);
    }
    return { providerMessageId: id };
  }

  private call(channel: ChannelContext, method: 'GET' | 'POST', path: string, json: unknown, what: string): Promise<HttpResponse> {
    return httpJson(method, `${graphBaseUrl(channel)}${path}`, {
      headers: { authorization: `Bearer ${channel.secrets.accessToken ?? ''}` },
      json,
      timeoutMs: TIMEOUT_MS,
      what,
    });
  }
}

/** The channel's versioned Graph API root, without a trailing slash. */
export function graphBaseUrl(channel: ChannelContext): string {
  return (channel.config.graphBaseUrl || DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
}

/**
 * A thread's raw address is the wa_id digits, or `bsuid:<id>` for a username user. BSUIDs go in
 * `recipient` instead of `to` (Meta's BSUID rollout, 2026); some message types refuse them (131062).
 */
function recipient(rawAddress: string): Record<string, string> {
  if (rawAddress.startsWith('bsuid:')) return { recipient: rawAddress.slice('bsuid:'.length) };
  return { to: rawAddress.replace(/^\+/, '') };
}
