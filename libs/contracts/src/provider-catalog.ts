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
];

export function catalogEntry(kind: ProviderKind): ProviderCatalogEntry {
  const entry = PROVIDER_CATALOG.find((e) => e.kind === kind);
  if (!entry) throw new Error(`unknown provider ${kind}`);
  return entry;
}
