import { Injectable } from '@nestjs/common';
import { ProviderError } from '../provider-error';
import { httpBytes, httpJson, type HttpResponse } from '../http-client';
import type {
  ChannelContext,
  ConnectionCheck,
  FetchedMedia,
  NeutralEvent,
  OutboundMedia,
  OutboundTemplate,
  OutboundText,
  Provider,
  ProviderTemplate,
  SendResult,
  WebhookEnvelope,
  WebhookRequest,
} from '../provider.types';
import { verifyMetaSignature } from './meta-auth';
import { graphError } from './meta-errors';
import { describeMetaWebhook, parseMetaWebhook } from './meta.parse';
import type { MetaMediaNode, MetaPhoneNumberNode, MetaSendResponse, MetaTemplate, MetaTemplateList } from './meta.types';

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
  async sendTemplate(channel: ChannelContext, msg: OutboundTemplate): Promise<SendResult> {
    const template: MetaTemplate = { name: msg.template.name, language: msg.template.language };
    // Meta refuses an empty parameters list ("(#100) Invalid parameter"), so parameterless templates send no components.
    const components = (msg.template.components ?? []).filter((c) => c.parameters.length > 0);
    if (components.length) template.components = components as unknown as Record<string, unknown>[];
    return this.send(channel, { ...recipient(msg.to), type: 'template', template }, 'Meta send template');
  }

  /**
   * Media goes up to Meta first (POST /<phone-number-id>/media, multipart) and is sent by id:
   * a `link` would need our server to be reachable from Meta, which a self-hosted inbox often is not.
   */
  async sendMedia(channel: ChannelContext, msg: OutboundMedia): Promise<SendResult> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', msg.mimeType);
    form.append('file', new Blob([new Uint8Array(msg.bytes)], { type: msg.mimeType }), msg.fileName);
    const path = `/${encodeURIComponent(channel.config.phoneNumberId ?? '')}/media`;
    const up = await httpBytes('POST', `${graphBaseUrl(channel)}${path}`, {
      headers: { authorization: `Bearer ${channel.secrets.accessToken ?? ''}` },
      body: form,
      timeoutMs: MEDIA_TIMEOUT_MS,
      what: 'Meta media upload',
    });
    const text = up.bytes.toString('utf8');
    const body = parseJson(text);
    if (up.status !== 200) throw graphError(up.status, body, text, 'Meta media upload');
    const mediaId = (body as { id?: unknown } | null)?.id;
    if (typeof mediaId !== 'string') throw new ProviderError('unknown', 'Meta media upload returned no id', null, false);
    // Meta has no voice type: an audio message in OGG/Opus is shown as a voice note.
    const type = msg.kind === 'voice' ? 'audio' : msg.kind;
    const media: Record<string, string> = { id: mediaId };
    if (msg.caption && (type === 'image' || type === 'video' || type === 'document')) media.caption = msg.caption;
    if (type === 'document') media.filename = msg.fileName;
    const payload: Record<string, unknown> = { ...recipient(msg.to), type, [type]: media };
    if (msg.replyTo) payload.context = { message_id: msg.replyTo.providerMessageId };
    return this.send(channel, payload, `Meta send ${type}`);
  }

  /** GET /<waba-id>/message_templates, every page (Graph cursor paging). */
  async listTemplates(channel: ChannelContext): Promise<ProviderTemplate[]> {
    const wabaId = channel.config.wabaId;
    if (!wabaId)
      throw new ProviderError('bad_request', 'set the WhatsApp Business Account ID (wabaId) on this channel to list its templates');
    const out: ProviderTemplate[] = [];
    let path: string | null = `/${encodeURIComponent(wabaId)}/message_templates?fields=name,language,status,category,components&limit=100`;
    for (let page = 0; path && page < 50; page++) {
      const res = await this.call(channel, 'GET', path, undefined, 'Meta templates');
      if (res.status !== 200) throw graphError(res.status, res.body, res.text, 'Meta templates');
      const body = (res.body ?? {}) as MetaTemplateList;
      for (const t of body.data ?? []) {
        if (typeof t.name !== 'string' || typeof t.language !== 'string') continue;
        out.push({
          name: t.name,
          language: t.language,
          status: t.status ?? 'UNKNOWN',
          category: t.category ?? 'UNKNOWN',
          components: Array.isArray(t.components) ? t.components : [],
        });
      }
      const after = body.paging?.cursors?.after;
      path =
        body.paging?.next && after
          ? `/${encodeURIComponent(wabaId)}/message_templates?fields=name,language,status,category,components&limit=100&after=${encodeURIComponent(after)}`
          : null;
    }
    return out;
  }

  async testConnection(channel: ChannelContext, callbackUrl: string): Promise<ConnectionCheck[]> {
    const checks: ConnectionCheck[] = [];
    try {
      const path = `/${encodeURIComponent(channel.config.phoneNumberId ?? '')}?fields=verified_name,display_phone_number,quality_rating`;
      const res = await this.call(channel, 'GET', path, undefined, 'Meta phone number');
      if (res.status !== 200) throw graphError(res.status, res.body, res.text, 'Meta phone number');
      const node = (res.body ?? {}) as MetaPhoneNumberNode;
      // display_phone_number is formatted ("+1 202-555-0100"): its digits are the E.164 number.
      const digits = (node.display_phone_number ?? '').replace(/\D/g, '');
      checks.push({
        name: 'connection',
        ok: true,
        state: 'connected',
        address: digits ? `+${digits}` : null,
        detail: `${node.verified_name ?? 'unnamed'} (${node.display_phone_number ?? 'unknown number'}), quality ${node.quality_rating ?? 'unknown'}`,
      });
    } catch (err) {
      const dead = err instanceof ProviderError && (err.providerCode === '190' || err.code === 'auth');
      checks.push({
        name: 'connection',
        ok: false,
        detail: dead ? 'access token expired or invalid: generate a new one and save it on this channel' : (err as Error).message,
        ...(dead ? { state: 'needs_reauth' as const } : {}),
      });
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
      throw graphError(download.status, parseJson(text), text, 'Meta media download');
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
