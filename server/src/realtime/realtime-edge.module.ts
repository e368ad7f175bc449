import { Module } from '@nestjs/common';
import { RealtimeGateway } from './realtime.gateway';
import { RealtimeListener } from './realtime.listener';
import { RealtimeModule } from './realtime.module';

/** The Socket.IO edge and its PostgreSQL listener: api processes only. */
@Module({ imports: [RealtimeModule], providers: [RealtimeGateway, RealtimeListener], exports: [RealtimeGateway] })
export class RealtimeEdgeModule {}
