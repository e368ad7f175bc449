import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUEUES, type SendMessageJob } from '../queues/queues';
import { OutboundSender } from './outbound-sender';

/** Thin: Bull delivers the job; OutboundSender does the work and decides retries. */
@Processor(QUEUES.outbound)
export class SendMessageProcessor {
  constructor(private readonly sender: OutboundSender) {}

  @Process({ concurrency: 8 })
  async handle(job: Job<SendMessageJob>): Promise<string> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.sender.send(job.data.messageId, lastAttempt);
  }
}
