import {
  Controller,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Logger,
  Param,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ProvidersRegistry } from '../providers/providers.registry';
import { WebhookRejection } from '../providers/provider.types';
import { WebhooksService, type WebhookAck } from './webhooks.service';

type RawRequest = FastifyRequest & { rawBody?: Buffer };

/**
 * POST /api/comms/webhooks/:provider, and any sub-path (Evolution's byEvents mode appends the
 * event name, e.g. /messages-upsert). Answers 200 only for a stored event; if storage fails the
 * answer is 503 so the provider delivers again.
 */
@Controller('api/comms/webhooks')
export class WebhooksController {
  private readonly logger = new Logger(WebhooksController.name);

  constructor(
    private readonly webhooks: WebhooksService,
    private readonly registry: ProvidersRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Meta's verification handshake: the bare hub.challenge as text/plain, or 403. */
  @Get(':provider')
  async handshake(@Param('provider') provider: string, @Query() query: Record<string, unknown>, @Res() res: FastifyReply): Promise<void> {
    try {
      const challenge = await this.webhooks.verifySubscription(provider, query);
      await res.status(200).header('content-type', 'text/plain; charset=utf-8').send(challenge);
    } catch (err) {
      if (err instanceof WebhookRejection) throw new HttpException(err.message, err.statusCode);
      throw err;
    }
  }

  @Post(':provider')
  @HttpCode(200)
  receive(
    @Param('provider') provider: string,
    @Req() req: RawRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<WebhookAck | string> {
    return this.handle(provider, req, res);
  }

  @Post(':provider/*')
  @HttpCode(200)
  receiveSubPath(
    @Param('provider') provider: string,
    @Req() req: RawRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<WebhookAck | string> {
    return this.handle(provider, req, res);
  }

  private async handle(provider: string, req: RawRequest, res: FastifyReply): Promise<WebhookAck | string> {
    const rawBody = req.rawBody ?? Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? null));
    const prefix = `/api/comms/webhooks/${provider}`;
    const path = req.url.split('?')[0];
    let ack: WebhookAck;
    try {
      ack = await this.webhooks.accept(provider, {
        headers: req.headers,
        rawBody,
        body: req.body,
        subPath: path.startsWith(prefix) ? path.slice(prefix.length) : '',
        publicUrl: this.config.publicBaseUrl + req.url,
      });
    } catch (err) {
      if (err instanceof WebhookRejection) throw new HttpException(err.message, err.statusCode);
      if (err instanceof HttpException) throw err;
      // Not stored: never acknowledge. The provider will deliver it again.
      this.logger.error(`webhook for ${provider} not stored: ${(err as Error).message}`);
      throw new ServiceUnavailableException('the event could not be stored right now; deliver it again later');
    }
    // Some providers read the answer (Twilio expects TwiML); the rest get the JSON acknowledgement.
    const reply = this.registry.has(provider) ? this.registry.get(provider).webhookReply?.(ack) : undefined;
    if (!reply) return ack;
    void res.header('content-type', reply.contentType);
    return reply.body;
  }
}
