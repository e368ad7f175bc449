import { Body, Controller, ForbiddenException, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import type { MessageView, Page, ThreadView } from '@switchboard/contracts';
import type { FastifyReply } from 'fastify';
import { parseLimit } from '../common/validate';
import { TenantsService } from '../tenants/tenants.service';
import { MediaLinks } from './media-links';
import type { MediaFile } from './media-store';
import { MediaService } from './media.service';
import { SendMessageDto, StartThreadDto } from './messages.dto';
import { MessagesService } from './messages.service';

const INLINE_TYPES = /^(image\/(jpeg|png|gif|webp)|audio\/[\w.+-]+|video\/(mp4|webm|3gpp))(;|$)/i;

@Controller('api/comms')
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly mediaFiles: MediaService,
    private readonly tenants: TenantsService,
    private readonly links: MediaLinks,
  ) {}

  @Get('threads/:id/messages')
  async list(@Param('id', ParseUUIDPipe) id: string, @Query() q: Record<string, unknown>): Promise<Page<MessageView>> {
    return this.messages.list((await this.tenants.getDefault()).id, id, q.cursor, parseLimit(q.limit));
  }

  @Post('threads/:id/messages')
  @HttpCode(202)
  async send(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<MessageView> {
    return this.messages.send((await this.tenants.getDefault()).id, id, SendMessageDto.parse(body));
  }

  @Post('threads')
  @HttpCode(202)
  async start(@Body() body: unknown): Promise<{ thread: ThreadView; message: MessageView }> {
    return this.messages.start(await this.tenants.getDefault(), StartThreadDto.parse(body));
  }

  /** The bytes of a message's photo, voice note or document (fetched once, then kept). */
  @Get('messages/:id/media')
  async media(@Param('id', ParseUUIDPipe) id: string, @Res() res: FastifyReply): Promise<void> {
    await sendFile(res, await this.mediaFiles.open((await this.tenants.getDefault()).id, id));
  }

  /**
   * An outbound file for a provider that fetches media by URL (Twilio MediaUrl): no session,
   * but only with a valid, unexpired signature for this very message (media-links.ts).
   */
  @Get('media/public/:id')
  async publicMedia(@Param('id', ParseUUIDPipe) id: string, @Query() q: Record<string, unknown>, @Res() res: FastifyReply): Promise<void> {
    if (!this.links.valid(id, q.exp, q.sig)) throw new ForbiddenException('this media link is invalid or has expired');
    await sendFile(res, await this.mediaFiles.open((await this.tenants.getDefault()).id, id));
  }

  @Post('messages/:id/retry')
  @HttpCode(202)
  async retry(@Param('id', ParseUUIDPipe) id: string): Promise<MessageView> {
    return this.messages.retry((await this.tenants.getDefault()).id, id);
  }
}

async function sendFile(res: FastifyReply, file: MediaFile): Promise<void> {
  const name = file.fileName ? `; filename*=UTF-8''${encodeURIComponent(file.fileName)}` : '';
  // Customers choose what they send: only formats a browser cannot execute are shown inline.
  // Anything else (HTML, SVG, PDF...) downloads, and a sandbox CSP covers what slips through.
  const inline = INLINE_TYPES.test(file.mimeType);
  await res
    .header('content-type', file.mimeType)
    .header('content-length', String(file.size))
    .header('content-disposition', `${inline ? 'inline' : 'attachment'}${name}`)
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, max-age=86400, immutable')
    .header('x-content-type-options', 'nosniff')
    .send(file.stream);
}
