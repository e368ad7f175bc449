import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { ProvidersModule } from '../providers/providers.module';
import { WebhooksController } from './webhooks.controller';
import { WebhookBatcher } from './webhook-batcher';
import { WebhooksService } from './webhooks.service';

/** The webhook door (api). Ingest and the sweeper run in the worker module. */
@Module({
  imports: [ChannelsModule, ProvidersModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookBatcher],
  exports: [WebhooksService],
})
export class WebhooksModule {}
