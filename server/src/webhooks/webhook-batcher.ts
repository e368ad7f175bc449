import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { enqueueDurable } from '../queues/enqueue';
import { jobIds, QUEUES, type IngestWebhookJob } from '../queues/queues';

export interface StoredWebhook {
  provider: string;
  channelId: string;
  dedupeKey: string;
  eventType: string;
  contentType: string | null;
  rawBody: string;
}

interface Waiter {
  row: StoredWebhook;
  resolve: (id: string | null) => void;
  reject: (err: unknown) => void;
}

/** Most rows one INSERT carries; also the most requests one flush answers. */
const MAX_BATCH = 200;
/** Flushes allowed at once (each holds one pooled connection for one statement). */
const MAX_IN_FLIGHT = 2;
/** Ingest attempts: with exponential backoff from 1 s, a target message has ~15 s to show up. */
const INGEST_ATTEMPTS = 5;

/**
 * Group commit for the webhook door. Requests that arrive while earlier flushes are in flight
 * wait for the next one, which stores all of them with one multi-row INSERT and queues them
 * with one Bull addBulk. Under load this turns hundreds of round trips into a few, without a
 * timer: an idle door flushes a lone request at once. A few flushes overlap so the door is never
 * idle waiting on one round trip. Each caller gets its own answer (new id, or null for a
 * duplicate), and only after its row is committed and its job queued.
 */
@Injectable()
export class WebhookBatcher implements OnApplicationShutdown {
  private waiting: Waiter[] = [];
  private inFlight = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QUEUES.webhooks) private readonly queue: Queue<IngestWebhookJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores one webhook; resolves with its event id, or null when it was a duplicate. */
  store(row: StoredWebhook): Promise<string | null> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      this.pump();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    while (this.inFlight > 0 || this.waiting.length) await new Promise((r) => setTimeout(r, 10));
  }

  private pump(): void {
    while (this.waiting.length && this.inFlight < MAX_IN_FLIGHT) {
      this.inFlight++;
      void this.flush(this.waiting.splice(0, MAX_BATCH)).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(batch: Waiter[]): Promise<void> {
    let ids: Map<string, string>;
    try {
      ids = await this.insert(batch.map((w) => w.row));
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    const answers: [Waiter, string | null][] = batch.map((w) => {
      // Two deliveries of one event in the same batch: the first caller gets the id.
      const id = ids.get(w.row.dedupeKey) ?? null;
      if (id) ids.delete(w.row.dedupeKey);
      return [w, id];
    });
    await this.enqueue(answers.flatMap(([, id]) => (id ? [id] : [])));
    for (const [w, id] of answers) w.resolve(id);
  }

  private async insert(rows: StoredWebhook[]): Promise<Map<string, string>> {
    const cols = (f: (r: StoredWebhook) => string | null) => rows.map(f);
    const result: { id: string; dedupe_key: string }[] = await this.db.query(
      `INSERT INTO webhook_events (provider, channel_id, dedupe_key, event_type, content_type, raw_body)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key`,
      [
        cols((r) => r.provider),
        cols((r) => r.channelId),
        cols((r) => r.dedupeKey),
        cols((r) => r.eventType),
        cols((r) => r.contentType),
        cols((r) => r.rawBody),
      ],
    );
    return new Map(result.map((r) => [r.dedupe_key, String(r.id)]));
  }

  /** Queues the new events; if Redis is away the sweeper queues them later, so never throw. */
  async enqueue(eventIds: string[]): Promise<void> {
    await enqueueDurable(
      this.queue,
      eventIds.map((id) => ({
        data: { webhookEventId: id },
        // Failures are recorded on the stored event; a kept failed job would block re-queueing its id.
        opts: {
          jobId: jobIds.ingest(id),
          attempts: INGEST_ATTEMPTS,
          backoff: { type: 'exponential', delay: this.config.ingestBackoffMs },
          removeOnFail: true,
        },
      })),
    );
  }
}
