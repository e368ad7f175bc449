import { InjectQueue } from '@nestjs/bull';
import { Controller, Get, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { HealthView } from '@switchboard/contracts';
import type { Queue } from 'bull';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { QUEUES } from '../queues/queues';

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}

/** GET /health: 200 when every component answers, 503 with the failing checks otherwise. */
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QUEUES.webhooks) private readonly webhooks: Queue,
    @InjectQueue(QUEUES.outbound) private readonly outbound: Queue,
  ) {}

  @Get()
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthView> {
    const checks: HealthView['checks'] = {};
    const run = async (name: string, fn: () => Promise<string | undefined>): Promise<void> => {
      try {
        checks[name] = { ok: true, detail: await within(fn(), 2000) };
      } catch (err) {
        checks[name] = { ok: false, detail: (err as Error).message };
      }
    };
    await Promise.all([
      run('database', async () => {
        await this.db.query('SELECT 1');
        return undefined;
      }),
      run('redis', async () => {
        const pong = await this.webhooks.client.ping();
        return pong;
      }),
      run('queues', async () => {
        const [w, o] = await Promise.all([this.webhooks.getJobCounts(), this.outbound.getJobCounts()]);
        return `webhooks waiting ${w.waiting} failed ${w.failed}; outbound waiting ${o.waiting} delayed ${o.delayed} failed ${o.failed}`;
      }),
    ]);
    const ok = Object.values(checks).every((c) => c.ok);
    void res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', checks };
  }
}
