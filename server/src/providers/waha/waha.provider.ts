import { Injectable } from '@nestjs/common';
import { identityFromJid } from '../../contacts/identity';
import { errorForStatus, httpBytes, httpJson, type HttpResponse } from '../http-client';
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
  WebhookRequest,
} from '../provider.types';
import { verifyWahaWebhook } from './waha-auth';
import { parseSerializedId, toCus } from './waha-ids';
import { ackStatus, describeWahaWebhook, parseWahaWebhook, sessionState } from './waha.parse';
import type { WahaSendResponse, WahaSessionInfo, WahaWebhookConfig } from './waha.types';

/** Events we ask WAHA to send when registering our webhook. */
export const WAHA_WEBHOOK_EVENTS = ['message', 'message.any', 'message.reaction', 'message.ack', 'message.revoked', 'session.status'];

const TIMEOUT_MS = 15_000;
const MEDIA_TIMEOUT_MS = 60_000;

/**
 * WAHA, WhatsApp HTTP API (https://waha.devlike.pro, source devlikeapro/waha; PROTOCOLS.md §2).
 * Quirks handled here: engine-specific send responses (WEBJS `id._serialized`, NOWEB the raw
 * Baileys key), 422 while the session is not WORKING, serialized `fromMe_chat_id` message ids,
 * and media served by WAHA itself for a few minutes only.
 */
@Injectable()
export class WahaProvider implements Provider {
  readonly kind = 'waha' as const;

  verifyWebhook(req: WebhookRequest, channel: ChannelContext): void {
    verifyWahaWebhook(req, channel.secrets.hmacKey);
  }

  describeWebhook(req: WebhookRequest): WebhookEnvelope {
    return describeWahaWebhook(req);
  }

  parseWebhook(body: unknown): NeutralEvent[] {
    return parseWahaWebhook(body);
  }

  rawAddressForPhone(e164: string): string {
    return `${e164.replace(/^\+/, '')}@c.us`;
  }

  async sendText(channel: ChannelContext, msg: OutboundText): Promise<SendResult> {
    // `linkPreview: true` is WAHA's default, sent explicitly so every engine behaves the same.
    return this.post(channel, 'sendText', {
      session: channel.config.session,
      chatId: chatIdFor(msg.to),
      text: msg.text,
      reply_to: msg.replyTo?.providerMessageId ?? null,
      linkPreview: true,
    });
  }

  /**
   * sendImage / sendVideo / sendVoice / sendFile with the file inline as base64 (PROTOCOLS.md
   * §2.4), so WAHA needs no route back to us. Voice notes must be OGG/Opus; `convert` asks WAHA
   * Plus to transcode anything else, and is ignored by Core.
   */
  async sendMedia(channel: ChannelContext, msg: OutboundMedia): Promise<SendResult> {
    const route = msg.kind === 'image' ? 'sendImage' : msg.kind === 'video' ? 'sendVideo' : msg.kind === 'voice' ? 'sendVoice' : 'sendFile';
    const body: Record<string, unknown> = {
      session: channel.config.session,
      chatId: chatIdFor(msg.to),
      file: { mimetype: msg.mimeType, filename: msg.fileName, data: msg.bytes.toString('base64') },
      reply_to: msg.replyTo?.providerMessageId ?? null,
    };
    if (msg.kind === 'voice' || msg.kind === 'video') body.convert = true;
    if (msg.caption && msg.kind !== 'voice') body.caption = msg.caption;
    return this.post(channel, route, body);
  }

  /**
   * `GET /api/{session}/chats/{chatId}/messages/{messageId}` ("get message by id", newer WAHA
   * releases) answers the message with its current `ack`. Older releases answer 404: nothing to learn.
   */
  async fetchStatus(channel: ChannelContext, providerMessageId: string, to: string): Promise<PolledStatus | null> {
    const session = encodeURIComponent(channel.config.session ?? '');
    const path = `/api/${session}/chats/${encodeURIComponent(chatIdFor(to))}/messages/${encodeURIComponent(providerMessageId)}?downloadMedia=false`;
    const res = await this.call(channel, 'GET', path, undefined, 'WAHA get message');
    if (res.status === 404) return null;
    if (res.status !== 200) throw wahaError(res);
    const body = (res.body ?? {}) as { ack?: number | null; ackName?: string | null };
    const status = ackStatus(body.ack, body.ackName);
    return status ? { status, error: null } : null;
  }

  private async post(channel: ChannelContext, route: string, body: Record<string, unknown>): Promise<SendResult> {
    const res = await this.call(channel, 'POST', `/api/${route}`, body, `WAHA ${route}`);
    if (res.status !== 201 && res.status !== 200) throw wahaError(res);
    const id = sentMessageId(res.body as WahaSendResponse | null);
    if (!id) throw new ProviderError('unknown', 'WAHA accepted the send but returned no message id', null, false);
    return { providerMessageId: id };
  }

  async testConnection(channel: ChannelContext, callbackUrl: string): Promise<ConnectionCheck[]> {
    const path = `/api/sessions/${encodeURIComponent(channel.config.session ?? '')}`;
    let info: WahaSessionInfo;
    try {
      const res = await this.call(channel, 'GET', path, undefined, 'WAHA get session');
      if (res.status !== 200) throw wahaError(res);
      info = (res.body ?? {}) as WahaSessionInfo;
    } catch (err) {
      const refused = err instanceof ProviderError && err.code === 'auth';
      return [{ name: 'connection', ok: false, detail: (err as Error).message, ...(refused ? { state: 'needs_reauth' as const } : {}) }];
    }
    const status = info.status ?? 'unknown';
    const own = ownAddressOf(info);
    const detail = `session status: ${status}${own ? `, account ${own}` : ''}`;
    const state = sessionState(status).state;
    const qr = state === 'qr_required' ? await this.qr(channel).catch(() => null) : null;
    const checks: ConnectionCheck[] = [{ name: 'connection', ok: status === 'WORKING', detail, state, qr, address: own }];
    try {
      checks.push(await this.registerWebhook(channel, path, info, callbackUrl));
    } catch (err) {
      checks.push({ name: 'webhook', ok: false, detail: (err as Error).message });
    }
    return checks;
  }

  /** The pairing QR as a data: URL (`GET /api/{session}/auth/qr?format=image`), while the session waits for a scan. */
  private async qr(channel: ChannelContext): Promise<string | null> {
    const res = await httpBytes('GET', `${baseUrl(channel)}/api/${encodeURIComponent(channel.config.session ?? '')}/auth/qr?format=image`, {
      headers: { 'X-Api-Key': channel.secrets.apiKey ?? '', accept: 'image/png' },
      timeoutMs: TIMEOUT_MS,
      what: 'WAHA QR',
    });
    if (res.status !== 200) return null;
    if (res.contentType?.startsWith('image/')) return `data:${res.contentType.split(';')[0]};base64,${res.bytes.toString('base64')}`;
    // Some versions answer JSON {mimetype, data} whatever the Accept header says.
    const body = JSON.parse(res.bytes.toString('utf8')) as { mimetype?: string; data?: string };
    return body.data ? `data:${body.mimetype ?? 'image/png'};base64,${body.data}` : null;
  }

  /**
   * `PUT /api/sessions/{session}` replaces the whole session config and restarts a running session
   * (sessions.controller.ts `update`: stop, upsert config, start). So we keep the rest of the
   * config (proxy, metadata, other webhooks) and skip the call when our webhook is already there.
   */
  private async registerWebhook(
    channel: ChannelContext,
    path: string,
    info: WahaSessionInfo,
    callbackUrl: string,
  ): Promise<ConnectionCheck> {
    const hmacKey = channel.secrets.hmacKey || null;
    const existing = info.config?.webhooks ?? [];
    const current = existing.find((w) => w.url === callbackUrl);
    if (
      current &&
      WAHA_WEBHOOK_EVENTS.every((e) => current.events?.includes(e) || current.events?.includes('*')) &&
      (current.hmac?.key || null) === hmacKey
    ) {
      return { name: 'webhook', ok: true, detail: `webhook already registered: ${callbackUrl}` };
    }
    const ours: WahaWebhookConfig = {
      url: callbackUrl,
      events: WAHA_WEBHOOK_EVENTS,
      hmac: hmacKey ? { key: hmacKey } : null,
      retries: { policy: 'exponential', delaySeconds: 2, attempts: 10 },
    };
    const config = { ...(info.config ?? {}), webhooks: [...existing.filter((w) => w.url !== callbackUrl), ours] };
    const res = await this.call(channel, 'PUT', path, { config }, 'WAHA update session');
    if (res.status !== 200 && res.status !== 201) throw wahaError(res);
    return { name: 'webhook', ok: true, detail: `webhook registered: ${callbackUrl}` };
  }

  /**
   * `media.url` points at WAHA's `/api/files/...`, built from WAHA_BASE_URL, which is often left at
   * `http://localhost:3000`. The file is fetched from the channel's baseUrl whatever host the URL
   * names, which also keeps the API key from being sent anywhere else. WAHA deletes the file after
   * WHATSAPP_FILES_LIFETIME seconds (default 180).
   */
  async fetchMedia(channel: ChannelContext, providerRef: string): Promise<FetchedMedia> {
    const url = mediaUrl(baseUrl(channel), providerRef);
    const res = await httpBytes('GET', url, {
      headers: { 'X-Api-Key': channel.secrets.apiKey ?? '' },
      timeoutMs: MEDIA_TIMEOUT_MS,
      what: 'WAHA media download',
    });
    if (res.status === 404) {
      throw new ProviderError('bad_request', 'WAHA no longer has this file (files expire after WHATSAPP_FILES_LIFETIME)', '404');
    }
    if (res.status < 200 || res.status >= 300) throw errorForStatus(res.status, `WAHA ${res.status} downloading media`, String(res.status));
    const fileName = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || null;
    return { bytes: res.bytes, mimeType: res.contentType, fileName };
  }

  private call(channel: ChannelContext, method: 'GET' | 'POST' | 'PUT', path: string, json: unknown, what: string): Promise<HttpResponse> {
    return httpJson(method, `${baseUrl(channel)}${path}`, {
      headers: { 'X-Api-Key': channel.secrets.apiKey ?? '' },
      json,
      timeoutMs: TIMEOUT_MS,
      what,
    });
  }
}

function baseUrl(channel: ChannelContext): string {
  return (channel.config.baseUrl ?? '').replace(/\/+$/, '');
}

export function mediaUrl(base: string, ref: string): string {
  if (!/^https?:\/\//i.test(ref)) return `${base}${ref.startsWith('/') ? '' : '/'}${ref}`;
  const target = new URL(ref);
  const origin = new URL(base);
  if (target.host === origin.host && target.protocol === origin.protocol) return ref;
  return `${base}${target.pathname}${target.search}`;
}

/** WAHA wants `<digits>@c.us` for phones; `@lid` and other ids pass through. */
export function chatIdFor(rawAddress: string): string {
  const raw = rawAddress.trim();
  if (/^\+?\d+$/.test(raw)) return `${raw.replace(/^\+/, '')}@c.us`;
  return toCus(raw);
}

/** WEBJS answers the whatsapp-web.js message (`id._serialized`), NOWEB the Baileys record (`key`). */
function sentMessageId(body: WahaSendResponse | null): string | null {
  const id = body?.id;
  if (id && typeof id === 'object' && typeof id._serialized === 'string' && id._serialized !== '') return id._serialized;
  if (typeof id === 'string' && parseSerializedId(id)) return id;
  const key = body?.key;
  if (key?.id && key.remoteJid) return `${key.fromMe ?? true}_${toCus(key.remoteJid)}_${key.id}`;
  return null;
}

export function wahaError(res: HttpResponse): ProviderError {
  const body = res.body as { error?: unknown; message?: unknown; status?: unknown } | null;
  const pick = (v: unknown): string =>
    typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join('; ') : '';
  const text = pick(body?.message) || pick(body?.error) || res.text.slice(0, 300) || `HTTP ${res.status}`;
  const code = String(res.status);
  if (res.status === 422) {
    // The session is not WORKING (starting, waiting for a QR scan, reconnecting): it may come back.
    const state = typeof body?.status === 'string' ? ` (session status: ${body.status})` : '';
    return new ProviderError('unavailable', `WAHA 422: ${pick(body?.error) || text}${state}`, code);
  }
  // Unknown session: a configuration problem an admin must fix; retrying cannot help.
  if (res.status === 404) return new ProviderError('bad_request', `WAHA 404: ${text}`, code);
  return errorForStatus(res.status, `WAHA ${res.status}: ${text}`, code);
}

/** The account's address from the session's `me.id` (set once the session is authenticated). */
function ownAddressOf(info: WahaSessionInfo): string | null {
  const own = info.me?.id ? identityFromJid(info.me.id) : null;
  return own?.kind === 'person' ? own.address : null;
}
