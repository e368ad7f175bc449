import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MessagesService } from '../messages/messages.service';
import { WebhooksService } from './webhooks.service';

/**
 * Durable work that lost its job (Redis restarted or was down when it was stored) is found in
 * PostgreSQL and queued again: stored webhooks still pending, and outbound messages still
 * pending. Bull ignores an add whose job id is already queued, so overlap is harmless.
 */
@Injectable()
export class WebhookSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookSweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private first: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly webhooks: WebhooksService,
    private readonly messages: MessagesService,
  ) {}

  onApplicationBootstrap(): void {
    // A worker starting up first picks up what waited while no worker ran.
    this.first = setTimeout(() => void this.sweep(), 1000);
    this.first.unref();
    this.timer = setInterval(() => void this.sweep(), this.config.sweeper.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.first) clearTimeout(this.first);
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<{ webhooks: number; messages: number }> {
    if (this.running) return { webhooks: 0, messages: 0 };
    this.running = true;
    try {
      const stale = `${this.config.sweeper.staleAfterMs} milliseconds`;
      const events: { id: string }[] = await this.db.query(
        `SELECT id FROM webhook_events WHERE state = 'pending' AND received_at < now() - $1::interval ORDER BY id LIMIT 1000`,
        [stale],
      );
      await this.webhooks.enqueue(events.map((e) => String(e.id)));
      const pending: { id: string; channel_id: string }[] = await this.db.query(
        `SELECT id, channel_id FROM messages WHERE status = 'pending' AND direction = 'outbound' AND created_at < now() - $1::interval
         ORDER BY created_at LIMIT 1000`,
        [stale],
      );
      for (const p of pending) await this.messages.enqueue({ id: p.id, channelId: p.channel_id, status: 'pending' });
      if (events.length || pending.length) this.logger.log(`re-queued ${events.length} webhook events and ${pending.length} sends`);
      return { webhooks: events.length, messages: pending.length };
    } catch (err) {
      this.logger.warn(`sweep failed: ${(err as Error).message}`);
      return { webhooks: 0, messages: 0 };
    } finally {
      this.running = false;
    }
  }
}
