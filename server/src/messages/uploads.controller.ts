import { BadRequestException, Controller, HttpException, HttpStatus, Post, Req, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { UploadView } from '@switchboard/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { TenantsService } from '../tenants/tenants.service';
import { MediaStore } from './media-store';
import { cleanFileName, MAX_UPLOAD_BYTES, uploadKind } from './upload-policy';

/**
 * POST /api/comms/uploads: the file's bytes as the request body, its type as Content-Type and
 * its name in X-File-Name (URI-encoded). A raw body instead of multipart keeps the upload one
 * streamable request with nothing to parse; the answer's uploadId is then sent as an attachment.
 */
@Controller('api/comms/uploads')
export class UploadsController implements OnModuleInit {
  constructor(
    private readonly media: MediaStore,
    private readonly tenants: TenantsService,
    private readonly http: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    keepPlainTextBytes(this.http.httpAdapter?.getInstance<FastifyInstance>());
  }

  @Post()
  async upload(@Req() req: FastifyRequest): Promise<UploadView> {
    const mimeType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const kind = uploadKind(mimeType);
    // JSON and plain-text files have parsers of their own, which keep the exact bytes in rawBody.
    const raw = (req as FastifyRequest & { rawBody?: Buffer }).rawBody;
    const bytes = Buffer.isBuffer(req.body)
      ? req.body
      : Buffer.isBuffer(raw)
        ? raw
        : typeof req.body === 'string'
          ? Buffer.from(req.body)
          : null;
    if (!bytes || bytes.length === 0) throw new BadRequestException('the request body must be the file itself (and not empty)');
    if (bytes.length > MAX_UPLOAD_BYTES) {
      throw new HttpException(
        {
          statusCode: 413,
          error: 'Payload Too Large',
          message: `the file is ${(bytes.length / 1048576).toFixed(1)} MB; the limit is ${MAX_UPLOAD_BYTES / 1048576} MB`,
        },
        HttpStatus.PAYLOAD_TOO_LARGE,
      );
    }
    const header = req.headers['x-file-name'];
    const fileName = cleanFileName(Array.isArray(header) ? header[0] : header, mimeType);
    const uploadId = randomUUID();
    await this.media.saveUpload((await this.tenants.getDefault()).id, uploadId, bytes, { mimeType, fileName });
    return { uploadId, mimeType, fileName, size: bytes.length, kind };
  }
}

/**
 * Fastify's own text/plain parser decodes the body as UTF-8, so a .txt file in another encoding
 * would be stored altered. Same string body for every other route, plus the exact bytes in
 * rawBody (as Nest keeps them for JSON), which the upload stores.
 */
function keepPlainTextBytes(fastify: FastifyInstance | undefined): void {
  if (!fastify?.addContentTypeParser) return;
  if (fastify.hasContentTypeParser('text/plain')) fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('text/plain', { parseAs: 'buffer' }, (req, body, done) => {
    (req as FastifyRequest & { rawBody?: Buffer }).rawBody = body as Buffer;
    done(null, (body as Buffer).toString('utf8'));
  });
}
