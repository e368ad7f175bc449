import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { ContactsModule } from '../contacts/contacts.module';
import { MessagesModule } from '../messages/messages.module';
import { FetchMediaProcessor } from '../messages/fetch-media.processor';
import { SendMessageProcessor } from '../messages/send-message.processor';
import { ProvidersModule } from '../providers/providers.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ThreadsModule } from '../threads/threads.module';
import { IngestWebhookProcessor } from '../webhooks/ingest-webhook.processor';
import { IngestService } from '../webhooks/ingest.service';
import { MockDeliveryProcessor } from '../webhooks/mock-delivery.processor';
import { PollReceiptsProcessor } from '../webhooks/poll-receipts.processor';
import { ReceiptPoller } from '../webhooks/receipt-poller';
import { WebhookSweeper } from '../webhooks/webhook-sweeper';
import { WebhooksModule } from '../webhooks/webhooks.module';

/** Everything that consumes queues: loaded by ROLE=worker and ROLE=all only. */
@Module({
  imports: [ChannelsModule, ContactsModule, MessagesModule, ProvidersModule, RealtimeModule, ThreadsModule, WebhooksModule],
  providers: [
    IngestService,
    IngestWebhookProcessor,
    SendMessageProcessor,
    FetchMediaProcessor,
    MockDeliveryProcessor,
    WebhookSweeper,
    ReceiptPoller,
    PollReceiptsProcessor,
  ],
})
export class WorkerModule {}
