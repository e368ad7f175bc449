import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';
import { ConnectionTestService } from './connection-test.service';
import { HistorySyncController } from './history-sync.controller';
import { HistorySyncService } from './history-sync.service';
import { HistorySyncTracker } from './history-sync.tracker';

@Module({
  imports: [ProvidersModule, RealtimeModule],
  controllers: [ChannelsController, HistorySyncController],
  providers: [ChannelsService, ConnectionTestService, HistorySyncService, HistorySyncTracker],
  exports: [ChannelsService, ConnectionTestService, HistorySyncTracker],
})
export class ChannelsModule {}
