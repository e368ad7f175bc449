import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ChannelsModule } from './channels/channels.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoSeed } from './demo/demo-seed';
import { HealthController } from './health/health.controller';
import { MessagesModule } from './messages/messages.module';
import { QueuesModule } from './queues/queues.module';
import { RealtimeEdgeModule } from './realtime/realtime-edge.module';
import { SettingsModule } from './settings/settings.module';
import { TenantsModule } from './tenants/tenants.module';
import { ThreadsModule } from './threads/threads.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WorkerModule } from './worker/worker.module';

/**
 * One build, one entry point; ROLE decides what runs: `api` serves HTTP, the gateway and the
 * client; `worker` consumes the queues; `all` (default) does both in one process.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const api = config.role !== 'worker';
    const worker = config.role !== 'api';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        QueuesModule,
        TenantsModule,
        ChannelsModule,
        ThreadsModule,
        MessagesModule,
        WebhooksModule,
        SettingsModule,
        ...(api ? [RealtimeEdgeModule] : []),
        ...(worker ? [WorkerModule] : []),
      ],
      controllers: [HealthController],
      providers: [DemoSeed, { provide: APP_FILTER, useClass: ApiExceptionFilter }],
    };
  }
}
