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
  /** The config field whose value routes webhooks to the channel (Evolution: instance). */
  routingField: string | null;
  fields: ProviderField[];
  /**
   * Hours after the customer's last message during which free text may be sent (WhatsApp Cloud
   * API's customer-service window); outside it only templates. Absent: no window.
   */
  serviceWindowHours?: number;
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
    routingField: null,
    fields: [],
  },
  {
    kind: 'evolution',
    label: 'WhatsApp via Evolution API v2',
    routingField: 'instance',
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
    routingField: 'session',
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
    routingField: 'phoneNumberId',
    serviceWindowHours: 24,
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
];

export function catalogEntry(kind: ProviderKind): ProviderCatalogEntry {
  const entry = PROVIDER_CATALOG.find((e) => e.kind === kind);
  if (!entry) throw new Error(`unknown provider ${kind}`);
  return entry;
}
