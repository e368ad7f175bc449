import type { ProviderKind } from './enums';

export interface ProviderField {
  key: string;
  label: string;
  secret: boolean;
  required: boolean;
  placeholder?: string;
  help?: string;
}

export interface ProviderCatalogEntry {
  kind: ProviderKind;
  label: string;
  /**
   * The config fields whose value routes webhooks to the channel (Evolution: instance); the
   * first one set is the channel's routing key (Twilio: the Messaging Service, else the number).
   */
  routingFields: readonly string[];
  fields: ProviderField[];
  /**
   * Hours after the customer's last message during which free text may be sent (WhatsApp Cloud
   * API's customer-service window); outside it only templates. Absent: no window.
   */
  serviceWindowHours?: number;
  /** Whether the provider sends pre-approved message templates (the inbox offers its template picker). */
  templates?: boolean;
  /**
   * Whether we can register our callback URL with the provider ourselves (Evolution webhook/set,
   * WAHA session config, the Android gateway's /webhooks); otherwise the admin pastes it.
   */
  registersWebhook?: boolean;
  /** How fast a channel sends by default; each channel may override it (PACING_FIELDS). */
  pacing: SendPacing;
}

/**
 * Outbound pacing of one channel: at most `perSecond` messages in any second, and at least
 * `minGapMs` (+ a random 0..`jitterMs`) between two messages. Unofficial WhatsApp gateways get
 * a human-like gap: bursts of machine-speed sends are what gets numbers banned.
 */
export interface SendPacing {
  perSecond: number;
  minGapMs: number;
  jitterMs: number;
}

/** Optional per-channel overrides of the provider's default pacing, shown under every provider's form. */
export const PACING_FIELDS: readonly ProviderField[] = [
  {
    key: 'sendRatePerSecond',
    label: 'Max messages per second',
    secret: false,
    required: false,
    help: 'Leave empty for the provider default.',
  },
  { key: 'sendMinGapMs', label: 'Minimum gap between messages (ms)', secret: false, required: false },
  { key: 'sendJitterMs', label: 'Random extra gap up to (ms)', secret: false, required: false },
];

/** A channel's pacing: its own overrides (config) over the provider's default. */
export function channelPacing(entry: ProviderCatalogEntry, config: Record<string, string>): SendPacing {
  const num = (key: string, fallback: number, min: number): number => {
    const n = Number(config[key]);
    return config[key] !== undefined && config[key] !== '' && Number.isFinite(n) && n >= min ? n : fallback;
  };
  return {
    perSecond: num('sendRatePerSecond', entry.pacing.perSecond, 0.01),
    minGapMs: num('sendMinGapMs', entry.pacing.minGapMs, 0),
    jitterMs: num('sendJitterMs', entry.pacing.jitterMs, 0),
  };
}

/** Whether free text may be sent now to a conversation whose last inbound message was at `lastInboundAt`. */
export function serviceWindowOpen(entry: ProviderCatalogEntry, lastInboundAt: string | Date | null, now = Date.now()): boolean {
  if (!entry.serviceWindowHours) return true;
  if (!lastInboundAt) return false;
  return now - new Date(lastInboundAt).getTime() < entry.serviceWindowHours * 3_600_000;
}

/** Each provider's fields; the settings UI renders its forms from this list. */
export const PROVIDER_CATALOG: readonly ProviderCatalogEntry[] = [
  {
    kind: 'mock',
    label: 'Mock (demo, no credentials)',
    routingFields: [],
    pacing: { perSecond: 20, minGapMs: 0, jitterMs: 0 },
    fields: [],
  },
  {
    kind: 'evolution',
    label: 'WhatsApp via Evolution API v2',
    routingFields: ['instance'],
    registersWebhook: true,
    pacing: { perSecond: 1, minGapMs: 1000, jitterMs: 1500 },
    fields: [
      { key: 'baseUrl', label: 'Evolution base URL', secret: false, required: true, placeholder: 'https://evo.example.com' },
      { key: 'instance', label: 'Instance name', secret: false, required: true, placeholder: 'acme-br' },
      { key: 'apiKey', label: 'API key (global key or instance token)', secret: true, required: true },
      {
        key: 'webhookToken',
        label: 'Webhook token',
        secret: true,
        required: false,
        help: 'Sent by Evolution as the x-inbox-token header, or used as its jwt_key (Authorization: Bearer).',
      },
    ],
  },
  {
    kind: 'waha',
    label: 'WhatsApp via WAHA',
    routingFields: ['session'],
    registersWebhook: true,
    pacing: { perSecond: 1, minGapMs: 1000, jitterMs: 1500 },
    fields: [
      { key: 'baseUrl', label: 'WAHA base URL', secret: false, required: true, placeholder: 'https://waha.example.com' },
      { key: 'session', label: 'Session name', secret: false, required: true, placeholder: 'default' },
      { key: 'apiKey', label: 'API key (X-Api-Key)', secret: true, required: true },
      {
        key: 'hmacKey',
        label: 'Webhook HMAC key',
        secret: true,
        required: false,
        help: 'Set the same key in the session webhook config (hmac.key).',
      },
    ],
  },
  {
    kind: 'meta',
    label: 'WhatsApp Cloud API (Meta)',
    routingFields: ['phoneNumberId'],
    // Cloud API throughput: 80 messages per second per business number by default.
    pacing: { perSecond: 80, minGapMs: 0, jitterMs: 0 },
    serviceWindowHours: 24,
    templates: true,
    fields: [
      { key: 'phoneNumberId', label: 'Phone number ID', secret: false, required: true },
      { key: 'wabaId', label: 'WhatsApp Business Account ID', secret: false, required: false },
      {
        key: 'graphBaseUrl',
        label: 'Graph API base URL',
        secret: false,
        required: false,
        placeholder: 'https://graph.facebook.com/v23.0',
        help: 'Leave empty for the public Graph API.',
      },
      { key: 'accessToken', label: 'Access token', secret: true, required: true },
      { key: 'appSecret', label: 'App secret (webhook signatures)', secret: true, required: true },
      { key: 'verifyToken', label: 'Webhook verify token', secret: true, required: true },
    ],
  },
  {
    kind: 'twilio',
    label: 'SMS/MMS via Twilio',
    routingFields: ['messagingServiceSid', 'from'],
    // A US/UK long code sends 1 message segment per second; raise it for short codes or services.
    pacing: { perSecond: 1, minGapMs: 0, jitterMs: 0 },
    fields: [
      { key: 'accountSid', label: 'Account SID', secret: false, required: true, placeholder: 'AC…' },
      {
        key: 'from',
        label: 'Sending number (E.164)',
        secret: false,
        required: false,
        placeholder: '+14155550100',
        help: 'Either a number or a Messaging Service SID.',
      },
      { key: 'messagingServiceSid', label: 'Messaging Service SID', secret: false, required: false, placeholder: 'MG…' },
      {
        key: 'apiBaseUrl',
        label: 'API base URL',
        secret: false,
        required: false,
        placeholder: 'https://api.twilio.com',
        help: 'Leave empty for Twilio itself.',
      },
      { key: 'authToken', label: 'Auth token', secret: true, required: true },
    ],
  },
  {
    kind: 'android_sms',
    label: 'SMS via an Android phone (SMS Gateway for Android)',
    routingFields: ['deviceId'],
    registersWebhook: true,
    // Android itself throttles apps that send many SMS quickly (30 per 30 minutes by default).
    pacing: { perSecond: 1, minGapMs: 2000, jitterMs: 1000 },
    fields: [
      {
        key: 'baseUrl',
        label: 'Phone local server URL',
        secret: false,
        required: true,
        placeholder: 'http://192.168.1.50:8080',
      },
      {
        key: 'deviceId',
        label: 'Device ID',
        secret: false,
        required: true,
        help: 'Shown in the app (Local Server); every webhook carries it, and it routes them to this channel.',
      },
      { key: 'username', label: 'Username', secret: false, required: true, placeholder: 'sms' },
      { key: 'password', label: 'Password', secret: true, required: true },
      {
        key: 'signingKey',
        label: 'Webhook signing key',
        secret: true,
        required: false,
        help: 'Settings > Webhooks > Signing Key in the app; webhooks must then carry a valid X-Signature.',
      },
    ],
  },
];

export function catalogEntry(kind: ProviderKind): ProviderCatalogEntry {
  const entry = PROVIDER_CATALOG.find((e) => e.kind === kind);
  if (!entry) throw new Error(`unknown provider ${kind}`);
  return entry;
}
