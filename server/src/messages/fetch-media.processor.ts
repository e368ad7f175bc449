import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUEUES, type FetchMediaJob } from '../queues/queues';
import { MediaService } from './media.service';

/** Thin: Bull retries with backoff; MediaService decides when a failure is final and shows it. */
@Processor(QUEUES.media)
export class FetchMediaProcessor {
  constructor(private readonly media: MediaService) {}

  @Process({ concurrency: 4 })
  async handle(job: Job<FetchMediaJob>): Promise<string> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.media.prefetch(job.data.messageId, lastAttempt);
  }
}
