import { InjectQueue, Process, Processor } from '@nestjs/bull';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { QUEUES } from '../queues/queues';
import { ReceiptPoller } from './receipt-poller';

/**
 * The `receipts` repeatable job: one schedule in Redis however many workers run (Bull keys a
 * repeatable job by name and interval), so receipts are polled once per interval, not once per worker.
 */
@Processor(QUEUES.receipts)
export class PollReceiptsProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(PollReceiptsProcessor.name);

  constructor(
    @InjectQueue(QUEUES.receipts) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly poller: ReceiptPoller,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const every = this.config.receipts.pollEveryMs;
    try {
      // A changed interval leaves the old schedule behind: remove every other one first.
      for (const r of await this.queue.getRepeatableJobs()) if (r.every !== every) await this.queue.removeRepeatableByKey(r.key);
      await this.queue.add('poll', {}, { repeat: { every }, jobId: 'receipts-poll', removeOnComplete: true, removeOnFail: true });
    } catch (err) {
      this.logger.warn(`could not schedule receipt polling (Redis unavailable?): ${(err as Error).message}`);
    }
  }

  @Process('poll')
  async handle(): Promise<{ asked: number; moved: number }> {
    try {
      return await this.poller.pollDue();
    } catch (err) {
      // Logged here: a failed repeat job is otherwise dropped without a trace.
      this.logger.error(`receipt polling failed: ${(err as Error).message}`);
      throw err;
    }
  }
}
