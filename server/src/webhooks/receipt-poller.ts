import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { returnedRows } from '../common/rows';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProviderError } from '../providers/provider-error';
import { ProvidersRegistry } from '../providers/providers.registry';
import { IngestService } from './ingest.service';

/** At most this many messages are asked about per run: a backlog drains over several runs. */
const BATCH = 200;

interface Due {
  id: string;
  channel_id: string;
  provider_message_id: string;
  raw_address: string;
}

/**
 * Receipt webhooks get lost (an SMS carrier that never reports, a gateway that was down, a
 * webhook URL misconfigured). Outbound messages stuck at `sent` are asked about at growing
 * intervals after their send (COMMS_RECEIPT_POLL_SCHEDULE_MS), from providers that can be asked
 * (Provider.fetchStatus), and the answer goes through the same lattice as a webhook: a status
 * never moves backwards, and a webhook and a poll racing each other cannot double anything.
 */
@Injectable()
export class ReceiptPoller {
  private readonly logger = new Logger(ReceiptPoller.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
    private readonly ingest: IngestService,
  ) {}

  /** The provider kinds that can be asked. */
  private pollable(): string[] {
    return this.registry.kinds().filter((k) => this.registry.get(k).fetchStatus);
  }

  async pollDue(): Promise<{ asked: number; moved: number }> {
    const schedule = this.config.receipts.scheduleMs;
    if (schedule.length === 0) return { asked: 0, moved: 0 };
    // Due: the provider accepted it, it is still `sent`, and the next step of the schedule has
    // passed since it was sent. Claimed (polls + 1) in the same statement, so two workers never
    // ask about the same message in one step.
    const due = returnedRows<Due>(
      await this.db.query(
        `WITH due AS (
         SELECT m.id FROM messages m JOIN channels c ON c.id = m.channel_id
          WHERE m.direction = 'outbound' AND m.status = 'sent' AND m.provider_message_id IS NOT NULL
            AND c.provider = ANY($1::text[])
            AND m.receipt_polls < $2
            AND m.sent_at < now() - (($3::bigint[])[m.receipt_polls + 1] * interval '1 millisecond')
          ORDER BY m.sent_at LIMIT ${BATCH} FOR UPDATE OF m SKIP LOCKED
       )
       UPDATE messages m SET receipt_polls = m.receipt_polls + 1, receipt_polled_at = now()
         FROM due, threads t WHERE m.id = due.id AND t.id = m.thread_id
       RETURNING m.id, m.channel_id, m.provider_message_id, t.raw_address`,
        [this.pollable(), schedule.length, schedule],
      ),
    );
    let moved = 0;
    for (const d of due) {
      const channel = await this.channels.byId(d.channel_id);
      const adapter = channel ? this.registry.get(channel.provider) : null;
      if (!channel || !adapter?.fetchStatus) continue;
      try {
        const polled = await adapter.fetchStatus(this.channels.context(channel), d.provider_message_id, d.raw_address);
        if (polled && (await this.ingest.applyPolledStatus(channel, d.provider_message_id, polled.status, polled.error))) moved++;
      } catch (err) {
        // One unreachable provider must not stop the others: the next step asks again.
        const what = err instanceof ProviderError ? `${err.code}: ${err.message}` : (err as Error).message;
        this.logger.warn(`receipt poll of ${d.id} on ${channel.provider} failed: ${what}`);
      }
    }
    if (due.length) this.logger.log(`asked for ${due.length} receipt(s), ${moved} moved`);
    return { asked: due.length, moved };
  }
}
