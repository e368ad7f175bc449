import { Injectable } from '@nestjs/common';
import { canTransition } from '@switchboard/contracts';
import { evolutionNumber } from '../../contacts/identity';
import { errorForStatus, httpJson, type HttpResponse } from '../http-client';
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
import { verifyEvolutionWebhook } from './evolution-auth';
import { describeEvolutionWebhook, evolutionStatus, parseEvolutionWebhook } from './evolution.parse';

/** Events we ask Evolution to send when registering our webhook (config uses UPPER_SNAKE names). */
export const EVOLUTION_WEBHOOK_EVENTS = [
  'MESSAGES_UPSERT',
  'MESSAGES_UPDATE',
  'MESSAGES_DELETE',
  'SEND_MESSAGE',
  'CONNECTION_UPDATE',
  'QRCODE_UPDATED',
];

const TIMEOUT_MS = 15_000;

/**
 * Evolution API v2 (https://doc.evolution-api.com, source EvolutionAPI/evolution-api v2.3.6).
 * Quirks handled here: v2's flat send body (v1's `textMessage` is a 400 on v2), 201 for sends,
 * errors as `{status, error, response: {message}}` with nested arrays, and no webhook signature.
 */
@Injectable()
export class EvolutionProvider implements Provider {
  readonly kind = 'evolution' as const;

  verifyWebhook(req: WebhookRequest, channel: ChannelContext): void {
    verifyEvolutionWebhook(req, channel.secrets.webhookToken);
  }

  describeWebhook(req: WebhookRequest): WebhookEnvelope {
    return describeEvolutionWebhook(req);
  }

  parseWebhook(body: unknown): NeutralEvent[] {
    return parseEvolutionWebhook(body);
  }

  rawAddressForPhone(e164: string): string {
    return `${e164.slice(1)}@s.whatsapp.net`;
  }

  async sendText(channel: ChannelContext, msg: OutboundText): Promise<SendResult> {
    return this.post(channel, 'sendText', { number: evolutionNumber(msg.to), text: msg.text, ...quoted(msg) });
  }

  /**
   * Files go inline as base64 (PROTOCOLS.md §1.6): Evolution then needs no route back to us.
   * Voice notes use sendWhatsAppAudio, which Evolution sends as push-to-talk.
   */
  async sendMedia(channel: ChannelContext, msg: OutboundMedia): Promise<SendResult> {
    const number = evolutionNumber(msg.to);
    const data = msg.bytes.toString('base64');
    if (msg.kind === 'voice') return this.post(channel, 'sendWhatsAppAudio', { number, audio: data, ...quoted(msg) });
    // Evolution's mediatype has no sticker; a WebP image is sent as an image.
    const mediatype = msg.kind === 'sticker' ? 'image' : msg.kind;
    return this.post(channel, 'sendMedia', {
      number,
      mediatype,
      mimetype: msg.mimeType,
      media: data,
      fileName: msg.fileName,
      ...(msg.caption ? { caption: msg.caption } : {}),
      ...quoted(msg),
    });
  }

  private async post(channel: ChannelContext, route: string, body: Record<string, unknown>): Promise<SendResult> {
    const res = await this.call(
      channel,
      'POST',
      `/message/${route}/${encodeURIComponent(channel.config.instance)}`,
      body,
      `Evolution ${route}`,
    );
    if (res.status !== 201 && res.status !== 200) throw evolutionError(res);
    const id = (res.body as { key?: { id?: unknown } } | null)?.key?.id;
    if (typeof id !== 'string' || id === '') {
      throw new ProviderError('unknown', 'Evolution accepted the send but returned no key.id', null, false);
    }
    return { providerMessageId: id };
  }

  async testConnection(channel: ChannelContext, callbackUrl: string): Promise<ConnectionCheck[]> {
    const instance = encodeURIComponent(channel.config.instance);
    const checks: ConnectionCheck[] = [];
    try {
      const res = await this.call(channel, 'GET', `/instance/connectionState/${instance}`, undefined, 'Evolution connectionState');
      if (res.status !== 200) throw evolutionError(res);
      const state = (res.body as { instance?: { state?: string } } | null)?.instance?.state ?? 'unknown';
      // Not open: ask for the pairing QR (GET /instance/connect), which also starts the connection.
      const qr = state === 'open' ? null : await this.qr(channel).catch(() => null);
      checks.push({
        name: 'connection',
        ok: state === 'open',
        detail: `instance state: ${state}${qr ? ' — scan the QR code with WhatsApp on the business phone' : ''}`,
        state: state === 'open' ? 'connected' : qr ? 'qr_required' : state === 'connecting' ? 'connecting' : 'disconnected',
        qr,
      });
    } catch (err) {
      const refused = err instanceof ProviderError && err.code === 'auth';
      checks.push({
        name: 'connection',
        ok: false,
        detail: (err as Error).message,
        ...(refused ? { state: 'needs_reauth' as const } : {}),
      });
      return checks;
    }
    try {
      const token = channel.secrets.webhookToken;
      const res = await this.call(
        channel,
        'POST',
        `/webhook/set/${instance}`,
        {
          webhook: {
            enabled: true,
            url: callbackUrl,
            headers: token ? { 'x-inbox-token': token } : {},
            byEvents: false,
            base64: false,
            events: EVOLUTION_WEBHOOK_EVENTS,
          },
        },
        'Evolution webhook/set',
      );
      if (res.status !== 200 && res.status !== 201) throw evolutionError(res);
      checks.push({ name: 'webhook', ok: true, detail: `webhook registered: ${callbackUrl}` });
    } catch (err) {
      checks.push({ name: 'webhook', ok: false, detail: (err as Error).message });
    }
    return checks;
  }

  /**
   * `POST /chat/findStatusMessage/{instance}` `{where: {remoteJid, id}}` answers the stored
   * MessageUpdate rows of one message (channel.service.ts fetchStatusMessage); the highest wins.
   * Empty when Evolution does not save updates (DATABASE_SAVE_MESSAGE_UPDATE=false): nothing learnt.
   */
  async fetchStatus(channel: ChannelContext, providerMessageId: string, to: string): Promise<PolledStatus | null> {
    const res = await this.call(
      channel,
      'POST',
      `/chat/findStatusMessage/${encodeURIComponent(channel.config.instance)}`,
      { where: { remoteJid: to, id: providerMessageId }, offset: 50, page: 1 },
      'Evolution findStatusMessage',
    );
    if (res.status !== 200 && res.status !== 201) throw evolutionError(res);
    const rows = Array.isArray(res.body) ? (res.body as { status?: unknown }[]) : [];
    let best: PolledStatus | null = null;
    for (const row of rows) {
      const status = evolutionStatus(row.status);
      if (status && status !== 'failed' && (!best || canTransition(best.status, status))) best = { status, error: null };
    }
    return best;
  }

  /** `GET /instance/connect/{instance}` answers `{pairingCode, code, base64, count}`; base64 is the QR as a data: URL. */
  private async qr(channel: ChannelContext): Promise<string | null> {
    const res = await this.call(
      channel,
      'GET',
      `/instance/connect/${encodeURIComponent(channel.config.instance)}`,
      undefined,
      'Evolution connect',
    );
    const base64 = (res.body as { base64?: unknown } | null)?.base64;
    return res.status === 200 && typeof base64 === 'string' && base64.startsWith('data:image/') ? base64 : null;
  }

  /**
   * WhatsApp media URLs (mmg.whatsapp.net) are encrypted; Evolution decrypts a stored message's
   * media by its key id and answers 201 with base64 (PROTOCOLS.md §1.6).
   */
  async fetchMedia(channel: ChannelContext, providerRef: string): Promise<FetchedMedia> {
    const res = await this.call(
      channel,
      'POST',
      `/chat/getBase64FromMediaMessage/${encodeURIComponent(channel.config.instance)}`,
      { message: { key: { id: providerRef } }, convertToMp4: false },
      'Evolution getBase64FromMediaMessage',
    );
    if (res.status !== 201 && res.status !== 200) throw evolutionError(res);
    const body = res.body as { base64?: unknown; mimetype?: unknown; fileName?: unknown } | null;
    if (typeof body?.base64 !== 'string' || body.base64 === '') {
      throw new ProviderError('unknown', 'Evolution returned no media for this message', null, false);
    }
    return {
      bytes: Buffer.from(body.base64.replace(/^data:[^,]*,/, ''), 'base64'),
      mimeType: typeof body.mimetype === 'string' ? body.mimetype : null,
      fileName: typeof body.fileName === 'string' ? body.fileName : null,
    };
  }

  private call(channel: ChannelContext, method: 'GET' | 'POST', path: string, json: unknown, what: string): Promise<HttpResponse> {
    const base = (channel.config.baseUrl ?? '').replace(/\/+$/, '');
    return httpJson(method, `${base}${path}`, { headers: { apikey: channel.secrets.apiKey ?? '' }, json, timeoutMs: TIMEOUT_MS, what });
  }
}

/** Flattens Evolution's `response.message` (a string, an array, or an array of arrays) to text. */
function flatten(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(flatten).filter(Boolean).join('; ');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o.exists === false) return `${String(o.number ?? o.jid ?? 'number')} is not on WhatsApp`;
    return JSON.stringify(v);
  }
  return '';
}

function hasUnknownNumber(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasUnknownNumber);
  return !!v && typeof v === 'object' && (v as { exists?: unknown }).exists === false;
}

export function evolutionError(res: HttpResponse): ProviderError {
  const message = (res.body as { response?: { message?: unknown } } | null)?.response?.message;
  const text = flatten(message) || res.text.slice(0, 300) || `HTTP ${res.status}`;
  const detail = `Evolution ${res.status}: ${text}`;
  if (res.status === 400 && hasUnknownNumber(message)) return new ProviderError('invalid_recipient', detail, String(res.status));
  // Evolution reports any send failure as 400 with the stringified error; a dropped WhatsApp
  // session ("Connection Closed") heals when the instance reconnects, so it is worth a retry.
  if (res.status === 400 && /connection closed|not connected|timed out/i.test(text)) {
    return new ProviderError('unavailable', detail, String(res.status));
  }
  if (res.status === 404) {
    // Unknown instance: a configuration problem an admin must fix; retrying cannot help.
    return new ProviderError('bad_request', detail, String(res.status));
  }
  return errorForStatus(res.status, detail, String(res.status));
}

/** Evolution's `quoted`: the key of the message replied to, and its text for the preview. */
function quoted(msg: Pick<OutboundText, 'to' | 'replyTo'>): Record<string, unknown> {
  if (!msg.replyTo) return {};
  return {
    quoted: {
      key: { remoteJid: msg.to, fromMe: msg.replyTo.fromMe, id: msg.replyTo.providerMessageId },
      message: { conversation: msg.replyTo.body ?? '' },
    },
  };
}
