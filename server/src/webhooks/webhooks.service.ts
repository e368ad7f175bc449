import { Injectable, NotFoundException } from '@nestjs/common';
import { PROVIDER_KINDS } from '@switchboard/contracts';
import { ChannelsService } from '../channels/channels.service';
import { ProvidersRegistry } from '../providers/providers.registry';
import { WebhookRejection, type WebhookRequest } from '../providers/provider.types';
import { verifyMetaSubscription } from '../providers/meta/meta-handshake';
import { WebhookBatcher } from './webhook-batcher';

export interface WebhookAck {
  ok: true;
  duplicate: boolean;
  eventId: string | null;
}

/**
 * The door every webhook comes through: verify, store, enqueue, answer. Nothing here parses
 * more than the adapter's envelope needs; all real work happens in the ingest job, so the
 * provider gets its answer in milliseconds and nothing acknowledged can be lost.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly batcher: WebhookBatcher,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
  ) {}

  async accept(provider: string, req: WebhookRequest): Promise<WebhookAck> {
    if (!this.registry.has(provider)) {
      throw new NotFoundException(`unknown provider "${provider}"; this server accepts ${PROVIDER_KINDS.join(', ')}`);
    }
    const adapter = this.registry.get(provider);
    const envelope = adapter.describeWebhook(req);
    const channel = await this.channels.forWebhook(provider, envelope.routingKey);
    if (!channel) {
      const which = envelope.routingKey ? ` for "${envelope.routingKey}"` : '';
      throw new WebhookRejection(404, `no ${provider} channel${which} is configured on this server`);
    }
    adapter.verifyWebhook(req, this.channels.context(channel));
    const eventId = await this.batcher.store({
      provider,
      channelId: channel.id,
      dedupeKey: envelope.dedupeKey,
      eventType: envelope.eventType,
      contentType: header(req, 'content-type') ?? null,
      rawBody: req.rawBody.toString('utf8'),
    });
    return { ok: true, duplicate: eventId === null, eventId };
  }

  /**
   * Meta's subscription handshake (GET with hub.mode, hub.verify_token, hub.challenge): answered
   * with the bare challenge when the token is one of our Meta channels' verify tokens, else 403.
   * The callback URL is per app, not per number, so every Meta channel's token is tried.
   */
  async verifySubscription(provider: string, query: Record<string, unknown>): Promise<string> {
    if (provider !== 'meta') throw new NotFoundException(`${provider} webhooks have no GET handshake`);
    for (const channel of await this.channels.allOf('meta')) {
      try {
        return verifyMetaSubscription(query, this.channels.context(channel).secrets.verifyToken);
      } catch {
        // try the next channel's token
      }
    }
    throw new WebhookRejection(403, 'hub.verify_token does not match any Meta channel');
  }

  /** Queues stored events again (the sweeper's way back in). */
  enqueue(eventIds: string[]): Promise<void> {
    return this.batcher.enqueue(eventIds);
  }
}

function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
