import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { SendPacing } from '@switchboard/contracts';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { QUEUES, type SendMessageJob } from '../queues/queues';

/**
 * Per channel, in Redis so every worker shares it: a sliding one-second window (at most N sends
 * in any second) and a "not before" time (the minimum gap after the last send, or a pause after
 * the provider said 429). Bull's own limiter throttles when jobs *start*, in fixed windows; this
 * one holds the promise at the moment a request leaves for the provider.
 * Returns 0 when the caller may send now, else how many ms to wait before asking again.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local notBefore = tonumber(redis.call('GET', KEYS[2]) or '0')
if now < notBefore then return notBefore - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  local gap = tonumber(ARGV[4])
  if gap > 0 then redis.call('SET', KEYS[2], now + gap, 'PX', gap + 1000) end
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now + 1)
`;

/** Pushes the channel's "not before" later (never earlier): every worker's next send waits. */
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ > current then redis.call('SET', KEYS[1], until_, 'PX', tonumber(ARGV[1]) + 1000) end
return until_
`;

/**
 * One second, plus room for transit jitter: the provider counts requests when they arrive, and
 * two requests leaving 1,000 ms apart can arrive closer than that (the first one paid for a new
 * connection, say).
 */
const WINDOW_MS = 1100;

/** The gap to leave after one send: the configured minimum plus random jitter (and 1/rate below one per second). */
export function gapAfterSend(p: SendPacing, random = Math.random()): number {
  const slowRate = p.perSecond < 1 ? Math.ceil(1000 / p.perSecond) : 0;
  return Math.max(slowRate, p.minGapMs + Math.floor(random * p.jitterMs));
}

@Injectable()
export class SendRateLimiter {
  constructor(
    @InjectQueue(QUEUES.outbound) private readonly queue: Queue<SendMessageJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The channel's pacing with the operator's overrides (COMMS_SEND_*) applied. */
  effective(p: SendPacing): SendPacing {
    const s = this.config.send;
    return { perSecond: s.perChannelPerSecond ?? p.perSecond, minGapMs: s.minGapMs ?? p.minGapMs, jitterMs: s.jitterMs ?? p.jitterMs };
  }

  /** Waits until this channel may send one more message, then takes the slot. */
  async acquire(channelId: string, slotId: string, pacing: SendPacing): Promise<void> {
    const p = this.effective(pacing);
    const perWindow = Math.max(1, Math.floor(p.perSecond));
    for (;;) {
      const wait = Number(
        await this.queue.client.eval(
          ACQUIRE,
          2,
          this.key(channelId, 'rate'),
          this.key(channelId, 'next'),
          WINDOW_MS,
          perWindow,
          slotId,
          gapAfterSend(p),
        ),
      );
      if (wait <= 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** The provider said "too many requests": nothing leaves this channel for `ms`. */
  async pause(channelId: string, ms: number): Promise<void> {
    await this.queue.client.eval(PAUSE, 1, this.key(channelId, 'next'), Math.max(1, Math.round(ms)));
  }

  private key(channelId: string, what: 'rate' | 'next'): string {
    return `${this.config.queuePrefix}:send-${what}:${channelId}`;
  }
}
