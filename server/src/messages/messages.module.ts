import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { ContactsModule } from '../contacts/contacts.module';
import { ProvidersModule } from '../providers/providers.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ThreadsModule } from '../threads/threads.module';
import { ChannelTestsController } from './channel-tests.controller';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MediaLinks } from './media-links';
import { MediaStore } from './media-store';
import { MediaService } from './media.service';
import { MessageStore } from './message-store';
import { TemplatesController } from './templates.controller';
import { TemplatesService } from './templates.service';
import { UploadsController } from './uploads.controller';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { OutboundSender } from './outbound-sender';
import { SendRateLimiter } from './send-rate-limiter';

@Module({
  imports: [ChannelsModule, ContactsModule, ProvidersModule, RealtimeModule, ThreadsModule],
  controllers: [MessagesController, UploadsController, TemplatesController, ChannelTestsController],
  providers: [
    MessagesService,
    MessageStore,
    OutboundSender,
    SendRateLimiter,
    MediaService,
    MediaStore,
    TemplatesService,
    {
      provide: MediaLinks,
      useFactory: (config: AppConfig) => new MediaLinks(config.encryptionKey, config.publicBaseUrl),
      inject: [APP_CONFIG],
    },
  ],
  exports: [MessagesService, MessageStore, OutboundSender, MediaStore, MediaService],
})
export class MessagesModule {}
