import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { QUEUES, type SendMessageJob } from '../queues/queues';

/**
 * Sliding one-second window per channel, kept in Redis so every worker shares it. Bull's own
 * limiter throttles when jobs *start*, in fixed windows; this one holds the promise at the moment
 * a request leaves for the provider: never more than the limit in any second.
 * Returns 0 when the caller may send now, else how many ms to wait before asking again.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)
`;

/**
 * One second, plus room for transit jitter: the provider counts requests when they arrive, and
 * two requests leaving 1,000 ms apart can arrive closer than that (the first one paid for a new
 * connection, say).
 */
const WINDOW_MS = 1100;

@Injectable()
export class SendRateLimiter {
  constructor(
    @InjectQueue(QUEUES.outbound) private readonly queue: Queue<SendMessageJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Waits until this channel may send one more message, then takes the slot. */
  async acquire(channelId: string, slotId: string): Promise<void> {
    const key = `${this.config.queuePrefix}:send-rate:${channelId}`;
    for (;;) {
      const wait = Number(await this.queue.client.eval(ACQUIRE, 1, key, WINDOW_MS, this.config.send.perChannelPerSecond, slotId));
      if (wait <= 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
