import { BadRequestException, Body, Controller, HttpCode, HttpException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { catalogEntry, type ConnectionTestView } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { ChannelsService } from '../channels/channels.service';
import { ConnectionTestService } from '../channels/connection-test.service';
import { optionalString, requireObject } from '../common/validate';
import { TenantsService } from '../tenants/tenants.service';
import { StartThreadDto } from './messages.dto';
import { MessagesService } from './messages.service';

/**
 * Connection tests of a saved channel. Here rather than in channels/ because the end-to-end
 * loop sends a real message: credentials and reachability first, then (with `loopTo`) a test
 * message whose ticks the admin watches arrive live like any other message's.
 */
@Controller('api/comms/channels/:id')
export class ChannelTestsController {
  constructor(
    private readonly tests: ConnectionTestService,
    private readonly channels: ChannelsService,
    private readonly messages: MessagesService,
    private readonly tenants: TenantsService,
  ) {}

  @Post('test')
  @HttpCode(200)
  async test(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<ConnectionTestView> {
    const loopTo = body === undefined || body === null ? undefined : optionalString(requireObject(body), 'loopTo', { max: 40 });
    const tenant = await this.tenants.getDefault();
    const result = await this.tests.testSaved(tenant.id, id);
    if (!loopTo) return result;
    if (!result.checks.find((c) => c.name === 'connection')?.ok) {
      return {
        ...result,
        ok: false,
        loop: null,
        checks: [...result.checks, { name: 'loop', ok: false, detail: 'not sent: the connection check failed' }],
      };
    }
    try {
      const started = await this.messages.start(
        tenant,
        StartThreadDto.parse({
          channelId: id,
          to: loopTo,
          body: `Switchboard connection test (${new Date().toISOString()}). You can ignore this message.`,
          clientMessageId: `connection-test-${randomUUID()}`,
        }),
      );
      const loop = { messageId: started.message.id, threadId: started.thread.id };
      const check = { name: 'loop', ok: true, detail: `test message queued to ${started.thread.address}; its ticks follow live` };
      return { ...result, loop, checks: [...result.checks, check] };
    } catch (err) {
      if (!(err instanceof HttpException)) throw err;
      const message = (err.getResponse() as { message?: unknown }).message;
      return {
        ...result,
        ok: false,
        loop: null,
        checks: [...result.checks, { name: 'loop', ok: false, detail: String(message ?? err.message) }],
      };
    }
  }

  /** Registers our callback URL with the provider (Evolution, WAHA, the Android gateway) by testing it. */
  @Post('webhook')
  @HttpCode(200)
  async registerWebhook(@Param('id', ParseUUIDPipe) id: string): Promise<ConnectionTestView> {
    const tenant = await this.tenants.getDefault();
    const channel = await this.channels.get(tenant.id, id);
    if (!catalogEntry(channel.provider).registersWebhook) {
      throw new BadRequestException(
        `${channel.provider} webhooks cannot be registered from here: paste ${this.channels.view(channel).callbackUrl} into the provider's console`,
      );
    }
    return this.tests.testSaved(tenant.id, id);
  }
}
