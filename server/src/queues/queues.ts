/**
 * The job catalog: every Bull queue, its job names and their typed payloads (ids only; a job
 * reloads what it needs, so a retried job always acts on the current state).
 */
export const QUEUES = {
  webhooks: 'webhooks',
  outbound: 'outbound',
  mock: 'mock',
  receipts: 'receipts',
  media: 'media',
} as const;

export interface FetchMediaJob {
  messageId: string;
}

export interface IngestWebhookJob {
  webhookEventId: string;
}

export interface SendMessageJob {
  messageId: string;
  /** Bull limiter group: sends are rate limited per channel. */
  channelId: string;
}

export interface MockDeliveryJob {
  /** A mock-format webhook body, fed through the real webhook path. */
  body: Record<string, unknown>;
}

export const jobIds = {
  ingest: (webhookEventId: string): string => `ingest:${webhookEventId}`,
  send: (messageId: string): string => `send:${messageId}`,
  media: (messageId: string): string => `media:${messageId}`,
};
