import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUEUES, type IngestWebhookJob } from '../queues/queues';
import { IngestService } from './ingest.service';

@Processor(QUEUES.webhooks)
export class IngestWebhookProcessor {
  constructor(private readonly ingest: IngestService) {}

  @Process({ concurrency: 8 })
  async handle(job: Job<IngestWebhookJob>): Promise<string[] | null> {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      return await this.ingest.process(job.data.webhookEventId, final);
    } catch (err) {
      await this.ingest.recordFailure(job.data.webhookEventId, err as Error, final).catch(() => undefined);
      throw err;
    }
  }
}
