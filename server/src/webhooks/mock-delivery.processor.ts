import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { QUEUES, type MockDeliveryJob } from '../queues/queues';
import { WebhooksService } from './webhooks.service';

/** Posts the mock network's receipts through the same door real providers use. */
@Processor(QUEUES.mock)
export class MockDeliveryProcessor {
  constructor(private readonly webhooks: WebhooksService) {}

  @Process()
  async handle(job: Job<MockDeliveryJob>): Promise<void> {
    const raw = Buffer.from(JSON.stringify(job.data.body));
    await this.webhooks.accept('mock', {
      headers: { 'content-type': 'application/json' },
      rawBody: raw,
      body: job.data.body,
      subPath: '',
      publicUrl: '',
    });
  }
}
