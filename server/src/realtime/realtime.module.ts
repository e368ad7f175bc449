import { Module } from '@nestjs/common';
import { RealtimeService } from './realtime.service';

/** Appending events (used by api and worker processes alike). */
@Module({ providers: [RealtimeService], exports: [RealtimeService] })
export class RealtimeModule {}
