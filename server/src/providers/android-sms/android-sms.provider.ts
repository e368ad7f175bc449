import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { MessageStatus } from '@switchboard/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { errorForStatus, httpJson, type HttpResponse } from '../http-client';
import { ProviderError } from '../provider-error';
import type {
  ChannelContext,
  ConnectionCheck,
  NeutralEvent,
  OutboundText,
  PolledStatus,
  Provider,
  SendResult,
  WebhookEnvelope,
  WebhookRequest,
} from '../provider.types';
import { verifyAndroidSmsWebhook } from './android-sms-auth';
import { describeAndroidSmsWebhook, failureError, parseAndroidSmsWebhook } from './android-sms.parse';
import type {
  AndroidSmsDevice,
  AndroidSmsHealth,
  AndroidSmsMessageState,
  AndroidSmsSendRequest,
  AndroidSmsState,
  AndroidSmsWebhook,
} from './android-sms.types';

/**
 * Events we register on the phone, one webhook each (the app takes one event per registration).
 * `system:ping` only fires when the ping is switched on in the app (Settings > Ping).
 */
export const ANDROID_SMS_WEBHOOK_EVENTS = ['sms:received', 'sms:sent', 'sms:delivered', 'sms:failed', 'system:ping'] as const;

const TIMEOUT_MS = 15_000;
/** The phone reads its whole SMS inbox for the period and queues every webhook before it answers. */
const HISTORY_TIMEOUT_MS = 120_000;

const STATE: Record<AndroidSmsState, MessageStatus> = {
  Pending: 'pending',
  // Handed to Android's SmsManager; the network has not accepted it yet.
  Processed: 'pending',
  Sent: 'sent',
  Delivered: 'delivered',
  Failed: 'failed',
};

/**
 * SMS Gateway for Android (capcom6/android-sms-gateway, docs.sms-gate.app) in Local Server mode:
 * the phone serves a REST API on the LAN with Basic auth and POSTs signed webhooks to us. Wire
 * details and their sources: PROTOCOL.md in this folder. Quirks handled here: national-format
 * senders, a 32-bit inbound message id, webhook URLs the phone only calls over https (or
 * http://127.0.0.1), per-event webhook registrations, and history replayed as ordinary
 * `sms:received` webhooks. Text SMS only: data SMS and MMS are not carried.
 */
@Injectable()
export class AndroidSmsProvider implements Provider {
  readonly kind = 'android_sms' as const;

  constructor(@Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'defaultCountry'>) {}

  verifyWebhook(req: WebhookRequest, channel: ChannelContext): void {
    verifyAndroidSmsWebhook(req, channel.secrets.signingKey);
  }

  describeWebhook(req: WebhookRequest): WebhookEnvelope {
    return describeAndroidSmsWebhook(req);
  }

  /**
   * The tenant's default country is not part of ChannelContext; the configured default
   * (COMMS_DEFAULT_COUNTRY_CODE, which seeds the tenant's) stands in when the receiving SIM's
   * own number does not say which country a national-format sender is in.
   */
  parseWebhook(body: unknown): NeutralEvent[] {
    return parseAndroidSmsWebhook(body, { defaultCountry: this.config.defaultCountry });
  }

  /** The phone validates and dials E.164 numbers as they are. */
  rawAddressForPhone(e164: string): string {
    return e164;
  }

  /**
   * `POST /message` with our own `id`: the phone answers 202 at once and every sms:sent /
   * sms:delivered / sms:failed webhook carries that id. It is our message id, so a send retried
   * after a lost answer is skipped by the phone (it ignores a send whose id it already has)
   * instead of reaching the customer twice; a fresh UUID only when no id is given.
   */
  async sendText(channel: ChannelContext, msg: OutboundText): Promise<SendResult> {
    if (!msg.address.startsWith('+')) {
      throw new ProviderError('invalid_recipient', `SMS needs a phone number, not "${msg.address}"`, null, false);
    }
    const body: AndroidSmsSendRequest = {
      id: msg.messageId ?? randomUUID(),
      // The local server refuses a send whose deviceId is not its own: a wrong baseUrl fails loudly.
      deviceId: channel.config.deviceId,
      textMessage: { text: msg.text },
      phoneNumbers: [msg.address],
      withDeliveryReport: true,
    };
    const res = await this.call(channel, 'POST', '/message', body, 'SMS Gateway send');
    if (res.status !== 202 && res.status !== 200 && res.status !== 201) throw androidSmsError(res, 'send');
    const id = (res.body as AndroidSmsMessageState | null)?.id;
    return { providerMessageId: typeof id === 'string' && id !== '' ? id : body.id };
  }

  /** `GET /message/{id}`: the message's state; a failed one carries the recipient's error. */
  async fetchStatus(channel: ChannelContext, providerMessageId: string): Promise<PolledStatus | null> {
    const res = await this.call(
      channel,
      'GET',
      `/message/${encodeURIComponent(providerMessageId)}`,
      undefined,
      'SMS Gateway message state',
    );
    if (res.status === 404) return null;
    if (res.status !== 200) throw androidSmsError(res, 'message state');
    const state = res.body as AndroidSmsMessageState | null;
    const status = state?.state ? STATE[state.state] : undefined;
    if (!status) return null;
    const reason = state?.recipients?.find((r) => r.error)?.error ?? undefined;
    return { status, error: status === 'failed' ? failureError(reason) : null };
  }

  async testConnection(channel: ChannelContext, callbackUrl: string): Promise<ConnectionCheck[]> {
    let health: AndroidSmsHealth;
    try {
      // Unauthenticated; answers 500 (with the same body) when a check fails.
      const res = await this.call(channel, 'GET', '/health', undefined, 'SMS Gateway health', TIMEOUT_MS, false);
      health = (res.body ?? {}) as AndroidSmsHealth;
      if ((res.status !== 200 && res.status !== 500) || !health.status) throw androidSmsError(res, 'health');
    } catch (err) {
      return [{ name: 'connection', ok: false, state: 'disconnected', detail: (err as Error).message }];
    }
    let webhooks: AndroidSmsWebhook[];
    try {
      // The cheapest authenticated call, and the list is needed to register ours.
      const res = await this.call(channel, 'GET', '/webhooks', undefined, 'SMS Gateway webhooks');
      if (res.status === 401 || res.status === 403) {
        return [
          { name: 'connection', ok: false, state: 'needs_reauth', detail: `the phone refused the username or password (${res.status})` },
        ];
      }
      if (res.status !== 200) throw androidSmsError(res, 'list webhooks');
      webhooks = Array.isArray(res.body) ? (res.body as AndroidSmsWebhook[]) : [];
    } catch (err) {
      return [{ name: 'connection', ok: false, state: 'disconnected', detail: (err as Error).message }];
    }
    const checks: ConnectionCheck[] = [
      { name: 'connection', ok: health.status !== 'fail', state: 'connected', detail: healthDetail(health) },
    ];
    const device = await this.checkDevice(channel);
    if (device) checks.push(device);
    try {
      checks.push(await this.registerWebhooks(channel, callbackUrl, webhooks));
    } catch (err) {
      checks.push({ name: 'webhook', ok: false, detail: (err as Error).message });
    }
    return checks;
  }

  /**
   * Replays the phone's inbox for the period as `sms:received` webhooks. `POST
   * /messages/inbox/export {since, until}` (202, no body) is the local server's export; newer app
   * versions moved it to `POST /inbox/refresh`, asked here for one webhook per message. Neither
   * says how many messages will come.
   */
  async requestHistory(channel: ChannelContext, since: Date, until: Date): Promise<{ total: number | null }> {
    const period = { deviceId: channel.config.deviceId, since: since.toISOString(), until: until.toISOString() };
    let res = await this.call(channel, 'POST', '/messages/inbox/export', period, 'SMS Gateway inbox export', HISTORY_TIMEOUT_MS);
    if (res.status === 404 || res.status === 405) {
      res = await this.call(
        channel,
        'POST',
        '/inbox/refresh',
        { ...period, webhookDelivery: 'Individual', triggerWebhooks: true },
        'SMS Gateway inbox refresh',
        HISTORY_TIMEOUT_MS,
      );
    }
    if (res.status < 200 || res.status >= 300) throw androidSmsError(res, 'inbox export');
    return { total: null };
  }

  /**
   * Webhooks reach the channel by the deviceId they carry; a wrong config.deviceId loses them
   * all at our door (404), so it is compared with the phone's. Old versions without `/device`
   * skip the check.
   */
  private async checkDevice(channel: ChannelContext): Promise<ConnectionCheck | null> {
    try {
      const res = await this.call(channel, 'GET', '/device', undefined, 'SMS Gateway device');
      const ids = res.status === 200 && Array.isArray(res.body) ? (res.body as AndroidSmsDevice[]).map((d) => d.id).filter(Boolean) : [];
      if (ids.length === 0) return null;
      const configured = channel.config.deviceId ?? '';
      if (ids.includes(configured)) return { name: 'device', ok: true, detail: `device id ${configured}` };
      return {
        name: 'device',
        ok: false,
        detail: `the phone's device id is ${ids.join(', ')} but the channel has ${configured}: its webhooks would not reach this channel`,
      };
    } catch {
      return null;
    }
  }

  /**
   * One registration per event; the ones already pointing at our URL are kept, the missing ones
   * added with an id derived from (url, event), so a repeated or concurrent test upserts the
   * same registration instead of adding a duplicate (WebHooksService.replace upserts by id).
   */
  private async registerWebhooks(channel: ChannelContext, callbackUrl: string, existing: AndroidSmsWebhook[]): Promise<ConnectionCheck> {
    const present = new Set(existing.filter((w) => w.url === callbackUrl).map((w) => w.event));
    const missing = ANDROID_SMS_WEBHOOK_EVENTS.filter((e) => !present.has(e));
    for (const event of missing) {
      const res = await this.call(
        channel,
        'POST',
        '/webhooks',
        { id: webhookId(callbackUrl, event), url: callbackUrl, event },
        'SMS Gateway register webhook',
      );
      if (res.status !== 201 && res.status !== 200) {
        const err = androidSmsError(res, `register ${event} webhook`);
        // WebHooksService.replace: "url must start with https:// or http://127.0.0.1".
        const hint = /https/i.test(err.message) ? ' (the phone only calls https:// URLs or http://127.0.0.1: set PUBLIC_BASE_URL)' : '';
        throw new ProviderError(err.code, `${err.message}${hint}`, err.providerCode, err.retryable);
      }
    }
    if (missing.length === 0) return { name: 'webhook', ok: true, detail: `webhooks already registered: ${callbackUrl}` };
    return { name: 'webhook', ok: true, detail: `registered ${missing.join(', ')} -> ${callbackUrl}` };
  }

  private call(
    channel: ChannelContext,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    json: unknown,
    what: string,
    timeoutMs = TIMEOUT_MS,
    auth = true,
  ): Promise<HttpResponse> {
    const basic = Buffer.from(`${channel.config.username ?? ''}:${channel.secrets.password ?? ''}`).toString('base64');
    return httpJson(method, `${baseUrl(channel)}${path}`, {
      headers: auth ? { authorization: `Basic ${basic}` } : {},
      json,
      timeoutMs,
      what,
    });
  }
}

function baseUrl(channel: ChannelContext): string {
  return (channel.config.baseUrl ?? '').replace(/\/+$/, '');
}

export function webhookId(callbackUrl: string, event: string): string {
  return `sb-${createHash('sha256').update(`${callbackUrl}\u0000${event}`).digest('hex').slice(0, 20)}`;
}

/** "SMS Gateway 1.40.0: pass, battery 94%" plus the checks that did not pass. */
function healthDetail(h: AndroidSmsHealth): string {
  const battery = h.checks?.['battery:level']?.observedValue;
  const failing = Object.entries(h.checks ?? {})
    .filter(([, c]) => c.status && c.status !== 'pass')
    .map(([name, c]) => `${name} ${c.status}`);
  return [
    `SMS Gateway ${h.version ?? '(unknown version)'}: ${h.status}`,
    battery !== undefined ? `battery ${battery}%` : null,
    failing.length ? `not passing: ${failing.join(', ')}` : null,
  ]
    .filter(Boolean)
    .join(', ');
}

/** The local server answers errors as `{"message": "..."}` (StatusPages in WebService.kt). */
export function androidSmsError(res: HttpResponse, what: string): ProviderError {
  const body = res.body as { message?: unknown } | null;
  const text = (typeof body?.message === 'string' && body.message) || res.text.slice(0, 300) || `HTTP ${res.status}`;
  const code = String(res.status);
  if (res.status === 400 && /phone/i.test(text) && !/phoneNumbers is empty/i.test(text)) {
    return new ProviderError('invalid_recipient', `SMS Gateway ${what} 400: ${text}`, code);
  }
  return errorForStatus(res.status, `SMS Gateway ${what} ${res.status}: ${text}`, code);
}
