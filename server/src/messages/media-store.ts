import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export interface MediaMeta {
  mimeType: string;
  fileName: string | null;
}

export interface MediaFile extends MediaMeta {
  stream: Readable;
  size: number;
}

/**
 * Media bytes on disk: COMMS_MEDIA_STORAGE_DIR/<tenant>/<message id> plus a .json with its type
 * and name. Ids are UUIDs checked at the edge, so paths cannot escape the folder.
 */
@Injectable()
export class MediaStore {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async save(tenantId: string, messageId: string, bytes: Buffer, meta: MediaMeta): Promise<void> {
    const file = join(this.config.mediaStorageDir, tenantId, messageId);
    await mkdir(dirname(file), { recursive: true });
    // Metadata first, bytes renamed into place last: a reader sees a whole file or none, and two
    // writers of the same message race harmlessly.
    await writeFile(`${file}.json`, JSON.stringify(meta));
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  }

  /** An agent's upload, kept under <tenant>/uploads/<upload id> until a message uses it. */
  async saveUpload(tenantId: string, uploadId: string, bytes: Buffer, meta: MediaMeta): Promise<void> {
    await this.save(tenantId, `uploads/${uploadId}`, bytes, meta);
  }

  async openUpload(tenantId: string, uploadId: string): Promise<MediaFile | null> {
    return this.open(tenantId, `uploads/${uploadId}`);
  }

  /**
   * Gives an upload to the message that sends it: the message's media is then served and sent
   * from its own file, like any other message's. Copied, not moved, so a retried request with
   * the same upload still finds it.
   */
  async attachUpload(tenantId: string, uploadId: string, messageId: string): Promise<boolean> {
    const dir = join(this.config.mediaStorageDir, tenantId);
    const from = join(dir, 'uploads', uploadId);
    const to = join(dir, messageId);
    try {
      await copyFile(`${from}.json`, `${to}.json`);
      const tmp = `${to}.${process.pid}.${Date.now()}.tmp`;
      await copyFile(from, tmp);
      await rename(tmp, to);
      return true;
    } catch {
      return false;
    }
  }

  async bytes(tenantId: string, messageId: string): Promise<(MediaMeta & { bytes: Buffer }) | null> {
    const file = join(this.config.mediaStorageDir, tenantId, messageId);
    try {
      const [bytes, meta] = await Promise.all([readFile(file), readFile(`${file}.json`, 'utf8')]);
      return { ...(JSON.parse(meta) as MediaMeta), bytes };
    } catch {
      return null;
    }
  }

  async exists(tenantId: string, messageId: string): Promise<boolean> {
    try {
      await stat(join(this.config.mediaStorageDir, tenantId, messageId));
      return true;
    } catch {
      return false;
    }
  }

  async open(tenantId: string, messageId: string): Promise<MediaFile | null> {
    const file = join(this.config.mediaStorageDir, tenantId, messageId);
    try {
      const [info, meta] = await Promise.all([stat(file), readFile(`${file}.json`, 'utf8')]);
      return { ...(JSON.parse(meta) as MediaMeta), stream: createReadStream(file), size: info.size };
    } catch {
      return null;
    }
  }
}
