import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { ContactsModule } from '../contacts/contacts.module';
import { ProvidersModule } from '../providers/providers.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ThreadsModule } from '../threads/threads.module';
import { MediaStore } from './media-store';
import { MediaService } from './media.service';
import { MessageStore } from './message-store';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { OutboundSender } from './outbound-sender';
import { SendRateLimiter } from './send-rate-limiter';

@Module({
  imports: [ChannelsModule, ContactsModule, ProvidersModule, RealtimeModule, ThreadsModule],
  controllers: [MessagesController],
  providers: [MessagesService, MessageStore, OutboundSender, SendRateLimiter, MediaService, MediaStore],
  exports: [MessagesService, MessageStore, OutboundSender, MediaStore],
})
export class MessagesModule {}
