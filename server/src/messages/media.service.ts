import { BadGatewayException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { ProviderError } from '../providers/provider-error';
import { ProvidersRegistry } from '../providers/providers.registry';
import { MediaStore, type MediaFile } from './media-store';
import { MessageStore } from './message-store';
import type { Message } from './message.entity';
import { toMessageView } from './messages.dto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { camelize, returnedRows } from '../common/rows';
import { RealtimeService } from '../realtime/realtime.service';

/**
 * A message's media bytes: fetched from the provider the first time an agent opens them, then
 * kept under COMMS_MEDIA_STORAGE_DIR/<tenant>/<message id> (provider media links expire, Meta's
 * after minutes, WhatsApp's after days), so later views never depend on the provider.
 */
@Injectable()
export class MediaService {
  private readonly inflight = new Map<string, Promise<void>>();
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: MediaStore,
    private readonly messages: MessageStore,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
    private readonly realtime: RealtimeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async open(tenantId: string, messageId: string): Promise<MediaFile> {
    const message = await this.messages.byId(this.db.manager, messageId);
    if (!message || message.tenantId !== tenantId) throw new NotFoundException(`message ${messageId} not found`);
    if (!message.media || message.deletedAt) throw new NotFoundException('this message has no media');
    const cached = await this.store.open(tenantId, message.id);
    if (cached) return cached;
    try {
      await this.fetchAndStore(message);
    } catch (err) {
      if (err instanceof ProviderError) {
        const channel = await this.channels.byId(message.channelId);
        throw new BadGatewayException(`could not fetch the media from ${channel?.provider ?? 'the provider'}: ${err.message}`);
      }
      throw err;
    }
    await this.recordDownload(message, null);
    return (await this.store.open(tenantId, message.id))!;
  }

  /**
   * The `media` job: fetch an inbound file as soon as it arrives (provider links expire: WAHA
   * deletes files after minutes, Meta's URLs last minutes). A failure is retried by Bull; the
   * last one is recorded on the message and shown on its bubble, never silently dropped.
   */
  async prefetch(messageId: string, lastAttempt: boolean): Promise<'stored' | 'cached' | 'gone' | 'failed'> {
    const message = await this.messages.byId(this.db.manager, messageId);
    if (!message?.media || message.deletedAt || !message.media.providerRef) return 'gone';
    if (await this.store.exists(message.tenantId, message.id)) return 'cached';
    try {
      await this.fetchAndStore(message);
    } catch (err) {
      const pe = err instanceof ProviderError ? err : null;
      if (!lastAttempt && (pe?.retryable ?? true)) throw err;
      await this.recordDownload(message, (err as Error).message);
      return 'failed';
    }
    await this.recordDownload(message, null);
    return 'stored';
  }

  /**
   * One download per message at a time in this process: an agent opening a photo while its
   * prefetch job runs waits for that download instead of asking the provider again.
   */
  private fetchAndStore(message: Message): Promise<void> {
    let running = this.inflight.get(message.id);
    if (!running) {
      running = this.download(message).finally(() => this.inflight.delete(message.id));
      this.inflight.set(message.id, running);
    }
    return running;
  }

  private async download(message: Message): Promise<void> {
    if (await this.store.exists(message.tenantId, message.id)) return;
    const channel = await this.channels.byId(message.channelId);
    const adapter = channel ? this.registry.get(channel.provider) : null;
    if (!channel || !adapter?.fetchMedia || !message.media?.providerRef) {
      throw new NotFoundException('the provider keeps no media for this message');
    }
    const fetched = await adapter.fetchMedia(this.channels.context(channel), message.media.providerRef);
    if (fetched.bytes.length > this.config.mediaMaxBytes) {
      throw new ProviderError(
        'bad_request',
        `the file is ${(fetched.bytes.length / 1048576).toFixed(1)} MB, over the ${this.config.mediaMaxBytes / 1048576} MB limit (COMMS_MEDIA_MAX_BYTES)`,
      );
    }
    await this.store.save(message.tenantId, message.id, fetched.bytes, {
      mimeType: message.media.mimeType ?? fetched.mimeType ?? 'application/octet-stream',
      fileName: message.media.fileName ?? fetched.fileName,
    });
  }

  /** Sets or clears the visible download error, and tells the inbox when it changed. */
  private async recordDownload(message: Message, error: string | null): Promise<void> {
    if ((message.media?.downloadError ?? null) === error) return;
    await this.db.transaction(async (m) => {
      const rows = returnedRows(
        await m.query(
          `UPDATE messages SET media = jsonb_set(media, '{downloadError}', $2::jsonb), updated_at = now() WHERE id = $1 AND media IS NOT NULL RETURNING *`,
          [message.id, JSON.stringify(error)],
        ),
      );
      if (!rows[0]) return;
      const updated = camelize<Message>(rows[0]);
      await this.realtime.append(m, updated.tenantId, updated.threadId, {
        type: 'message_updated',
        data: { threadId: updated.threadId, message: toMessageView(updated) },
      });
    });
  }
}
