import { BadGatewayException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { ProviderError } from '../providers/provider-error';
import { ProvidersRegistry } from '../providers/providers.registry';
import { MediaStore, type MediaFile } from './media-store';
import { MessageStore } from './message-store';

/**
 * A message's media bytes: fetched from the provider the first time an agent opens them, then
 * kept under COMMS_MEDIA_STORAGE_DIR/<tenant>/<message id> (provider media links expire, Meta's
 * after minutes, WhatsApp's after days), so later views never depend on the provider.
 */
@Injectable()
export class MediaService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly store: MediaStore,
    private readonly messages: MessageStore,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
  ) {}

  async open(tenantId: string, messageId: string): Promise<MediaFile> {
    const message = await this.messages.byId(this.db.manager, messageId);
    if (!message || message.tenantId !== tenantId) throw new NotFoundException(`message ${messageId} not found`);
    if (!message.media || message.deletedAt) throw new NotFoundException('this message has no media');
    const cached = await this.store.open(tenantId, message.id);
    if (cached) return cached;

    const channel = await this.channels.byId(message.channelId);
    const adapter = channel ? this.registry.get(channel.provider) : null;
    if (!channel || !adapter?.fetchMedia || !message.media.providerRef)
      throw new NotFoundException('the provider keeps no media for this message');
    let fetched;
    try {
      fetched = await adapter.fetchMedia(this.channels.context(channel), message.media.providerRef);
    } catch (err) {
      if (err instanceof ProviderError) throw new BadGatewayException(`could not fetch the media from ${channel.provider}: ${err.message}`);
      throw err;
    }
    await this.store.save(tenantId, message.id, fetched.bytes, {
      mimeType: message.media.mimeType ?? fetched.mimeType ?? 'application/octet-stream',
      fileName: message.media.fileName ?? fetched.fileName,
    });
    return (await this.store.open(tenantId, message.id))!;
  }
}
