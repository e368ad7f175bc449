import { InjectQueue } from '@nestjs/bull';
import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PROVIDER_KINDS } from '@switchboard/contracts';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { ProvidersRegistry } from '../providers/providers.registry';
import { WebhookRejection, type WebhookRequest } from '../providers/provider.types';
import { enqueueDurable } from '../queues/enqueue';
import { jobIds, QUEUES, type IngestWebhookJob } from '../queues/queues';

export interface WebhookAck {
  ok: true;
  duplicate: boolean;
  eventId: string | null;
}

/** Ingest jobs retry a few times: a failure here is a bug or an outage, not bad input. */
export const INGEST_ATTEMPTS = 5;

/**
 * The door every webhook comes through: verify, store, enqueue, answer. Nothing here parses
 * more than the adapter's envelope needs; all real work happens in the ingest job, so the
 * provider gets its answer in milliseconds and nothing acknowledged can be lost.
 */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QUEUES.webhooks) private readonly queue: Queue<IngestWebhookJob>,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
  ) {}

  async accept(provider: string, req: WebhookRequest): Promise<WebhookAck> {
    if (!this.registry.has(provider)) {
      throw new NotFoundException(`unknown provider "${provider}"; this server accepts ${PROVIDER_KINDS.join(', ')}`);
    }
    const adapter = this.registry.get(provider);
    const envelope = adapter.describeWebhook(req);
    const channel = await this.channels.forWebhook(provider, envelope.routingKey);
    if (!channel) {
      const which = envelope.routingKey ? ` for "${envelope.routingKey}"` : '';
      throw new WebhookRejection(404, `no ${provider} channel${which} is configured on this server`);
    }
    adapter.verifyWebhook(req, this.channels.context(channel));
    const rows: { id: string }[] = await this.db.query(
      `INSERT INTO webhook_events (provider, channel_id, dedupe_key, event_type, content_type, raw_body)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [provider, channel.id, envelope.dedupeKey, envelope.eventType, header(req, 'content-type') ?? null, req.rawBody.toString('utf8')],
    );
    if (rows.length === 0) return { ok: true, duplicate: true, eventId: null };
    const eventId = String(rows[0].id);
    await this.enqueue(eventId);
    return { ok: true, duplicate: false, eventId };
  }

  enqueue(eventId: string): Promise<boolean> {
    return enqueueDurable(
      this.queue,
      { webhookEventId: eventId },
      // Failures are recorded on the stored event itself; a kept failed job would block re-queueing its id.
      { jobId: jobIds.ingest(eventId), attempts: INGEST_ATTEMPTS, backoff: { type: 'exponential', delay: 1000 }, removeOnFail: true },
    );
  }
}

function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
