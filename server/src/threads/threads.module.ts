import { Module } from '@nestjs/common';
import { RealtimeModule } from '../realtime/realtime.module';
import { ThreadStore } from './thread-store';
import { ThreadsController } from './threads.controller';
import { ThreadsService } from './threads.service';

@Module({
  imports: [RealtimeModule],
  controllers: [ThreadsController],
  providers: [ThreadsService, ThreadStore],
  exports: [ThreadStore],
})
export class ThreadsModule {}
