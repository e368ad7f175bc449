import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ChannelsController } from './channels.controller';
import { ChannelsService } from './channels.service';
import { ConnectionTestService } from './connection-test.service';

@Module({
  imports: [ProvidersModule, RealtimeModule],
  controllers: [ChannelsController],
  providers: [ChannelsService, ConnectionTestService],
  exports: [ChannelsService],
})
export class ChannelsModule {}
