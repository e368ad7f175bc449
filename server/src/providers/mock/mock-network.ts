import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { QUEUES, type MockDeliveryJob } from '../../queues/queues';
import type { MockWebhook } from './mock.provider';

/**
 * The mock provider's pretend network: after a send it delivers, then reads, the message by
 * posting mock status webhooks through the real webhook path (stored, deduped, ingested).
 */
@Injectable()
export class MockNetwork {
  constructor(
    @InjectQueue(QUEUES.mock) private readonly queue: Queue<MockDeliveryJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async acknowledge(providerMessageId: string): Promise<void> {
    const status = (s: 'delivered' | 'read'): MockWebhook => ({ event: 'status', id: providerMessageId, status: s });
    const opts = { removeOnComplete: true, removeOnFail: true, attempts: 3 };
    await this.queue.add({ body: { ...status('delivered') } }, { ...opts, delay: this.config.mock.deliverAfterMs });
    await this.queue.add({ body: { ...status('read') } }, { ...opts, delay: this.config.mock.readAfterMs });
  }
}
