import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
    const dir = join(this.config.mediaStorageDir, tenantId);
    const file = join(dir, messageId);
    await mkdir(dir, { recursive: true });
    // Metadata first, bytes renamed into place last: a reader sees a whole file or none, and two
    // writers of the same message race harmlessly.
    await writeFile(`${file}.json`, JSON.stringify(meta));
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
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
