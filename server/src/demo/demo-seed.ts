import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { MockWebhook } from '../providers/mock/mock.provider';
import { TenantsService } from '../tenants/tenants.service';
import { WebhooksService } from '../webhooks/webhooks.service';

/** Three demo conversations, written as the mock provider would deliver them. */
function demoWebhooks(nowSec: number): MockWebhook[] {
  const ago = (min: number): number => nowSec - min * 60;
  return [
    {
      event: 'message',
      id: 'demo-ana-1',
      from: '+5511987650001',
      name: 'Ana Souza',
      text: 'Olá! Vocês entregam em Campinas? 🙂',
      timestamp: ago(180),
    },
    {
      event: 'message',
      id: 'demo-ana-2',
      from: '+5511987650001',
      fromMe: true,
      text: 'Olá Ana! Entregamos sim, prazo de 2 dias úteis.',
      timestamp: ago(175),
    },
    { event: 'message', id: 'demo-ana-3', from: '+5511987650001', name: 'Ana Souza', text: 'Perfeito, obrigada!', timestamp: ago(170) },
    {
      event: 'message',
      id: 'demo-oliver-1',
      from: '+447700900123',
      name: 'Oliver Bennett',
      text: 'Hi, my parcel arrived damaged. Order #5512.',
      timestamp: ago(60 * 26),
    },
    {
      event: 'message',
      id: 'demo-oliver-2',
      from: '+447700900123',
      name: 'Oliver Bennett',
      text: 'The corner of the box is crushed and the mug inside is chipped.',
      timestamp: ago(60 * 26 - 2),
    },
    {
      event: 'message',
      id: 'demo-priya-1',
      from: '+919876543210',
      name: 'Priya Sharma',
      text: 'Can I change the delivery address on my order?',
      timestamp: ago(12),
    },
    {
      event: 'message',
      id: 'demo-priya-2',
      from: '+919876543210',
      name: 'Priya Sharma',
      text: 'It should go to my office instead.',
      timestamp: ago(11),
    },
  ];
}

/**
 * With nothing configured the product runs the mock provider with demo data, so a newcomer
 * sees a working inbox with no credentials. The demo messages go through the real webhook path.
 */
@Injectable()
export class DemoSeed {
  private readonly logger = new Logger(DemoSeed.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly channels: ChannelsService,
    private readonly tenants: TenantsService,
    private readonly webhooks: WebhooksService,
  ) {}

  async run(): Promise<void> {
    const tenant = await this.tenants.getDefault();
    await this.channels.ensureBootChannel(tenant.id);
    if ((await this.channels.count()) > 0 && !(await this.onlyMock())) return;
    const mock = await this.channels.ensureMockChannel(tenant.id);
    if (!this.config.demoData) return;
    const seeded: unknown[] = await this.db.query(`SELECT 1 FROM webhook_events WHERE channel_id = $1 LIMIT 1`, [mock.id]);
    if (seeded.length) return;
    const now = Math.floor(Date.now() / 1000);
    for (const body of demoWebhooks(now)) {
      await this.webhooks.accept('mock', { headers: {}, rawBody: Buffer.from(JSON.stringify(body)), body, subPath: '', publicUrl: '' });
    }
    this.logger.log('demo data queued: three conversations on the mock channel');
  }

  private async onlyMock(): Promise<boolean> {
    const rows: unknown[] = await this.db.query(`SELECT 1 FROM channels WHERE provider <> 'mock' LIMIT 1`);
    return rows.length === 0;
  }
}
