import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadGatewayException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProviderError } from '../providers/provider-error';
import { ProvidersRegistry } from '../providers/providers.registry';
import { MessageStore } from './message-store';

export interface MediaFile {
  stream: Readable;
  size: number;
  mimeType: string;
  fileName: string | null;
}

interface MediaMeta {
  mimeType: string;
  fileName: string | null;
}

/**
 * A message's media bytes: fetched from the provider the first time an agent opens them, then
 * kept under COMMS_MEDIA_STORAGE_DIR/<tenant>/<message id> (provider media links expire, Meta's
 * after minutes, WhatsApp's after days), so later views never depend on the provider.
 */
@Injectable()
export class MediaService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messages: MessageStore,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
  ) {}

  async open(tenantId: string, messageId: string): Promise<MediaFile> {
    const message = await this.messages.byId(this.db.manager, messageId);
    if (!message || message.tenantId !== tenantId) throw new NotFoundException(`message ${messageId} not found`);
    if (!message.media || message.deletedAt) throw new NotFoundException('this message has no media');
    const dir = join(this.config.mediaStorageDir, tenantId);
    const file = join(dir, message.id);
    const cached = await this.cached(file);
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
    const meta: MediaMeta = {
      mimeType: message.media.mimeType ?? fetched.mimeType ?? 'application/octet-stream',
      fileName: message.media.fileName ?? fetched.fileName,
    };
    // Write then rename: a reader never sees half a file, and two first views race harmlessly.
    await mkdir(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, fetched.bytes);
    await writeFile(`${file}.json`, JSON.stringify(meta));
    await rename(tmp, file);
    return (await this.cached(file))!;
  }

  private async cached(file: string): Promise<MediaFile | null> {
    try {
      const [info, meta] = await Promise.all([stat(file), readFile(`${file}.json`, 'utf8')]);
      const m = JSON.parse(meta) as MediaMeta;
      return { stream: createReadStream(file), size: info.size, mimeType: m.mimeType, fileName: m.fileName };
    } catch {
      return null;
    }
  }
}
