import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUEUES, type IngestWebhookJob } from '../queues/queues';
import { IngestService } from './ingest.service';

@Processor(QUEUES.webhooks)
export class IngestWebhookProcessor {
  constructor(private readonly ingest: IngestService) {}

  @Process({ concurrency: 8 })
  async handle(job: Job<IngestWebhookJob>): Promise<string[] | null> {
    try {
      return await this.ingest.process(job.data.webhookEventId);
    } catch (err) {
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await this.ingest.recordFailure(job.data.webhookEventId, err as Error, final).catch(() => undefined);
      throw err;
    }
  }
}
