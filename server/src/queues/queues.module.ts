import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { QUEUES } from './queues';

const queues = BullModule.registerQueueAsync(
  { name: QUEUES.webhooks },
  {
    name: QUEUES.outbound,
    inject: [APP_CONFIG],
    // One limiter for all channels, grouped by channel id: no channel can exceed its rate, and
    // a busy channel does not slow the others.
    // A coarse guard only: each channel's real pacing is enforced when a request leaves (send-rate-limiter.ts).
    useFactory: (config: AppConfig) => ({
      limiter: { max: config.send.perChannelPerSecond ?? 100, duration: 1000, groupKey: 'channelId' },
    }),
  },
  { name: QUEUES.mock },
  { name: QUEUES.receipts },
  { name: QUEUES.media },
);

@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        url: config.redisUrl!,
        prefix: config.queuePrefix,
        redis: {
          // Keep trying when Redis restarts instead of failing queued work; the webhook sweeper
          // re-enqueues anything stored while Redis was away.
          maxRetriesPerRequest: null,
          enableReadyCheck: false,
          retryStrategy: (times: number) => Math.min(times * 200, 2000),
        },
        defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000 },
      }),
    }),
    queues,
  ],
  exports: [queues],
})
export class QueuesModule {}
