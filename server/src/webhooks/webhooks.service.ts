import { Injectable, NotFoundException } from '@nestjs/common';
import { PROVIDER_KINDS } from '@switchboard/contracts';
import type { Channel } from '../channels/channel.entity';
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
    let channel = await this.channels.forWebhook(provider, envelope.routingKey);
    for (const key of envelope.fallbackRoutingKeys ?? []) {
      if (channel) break;
      channel = await this.channels.forWebhook(provider, key);
    }
    // Other channels the same request concerns (Meta batches several numbers of one WABA).
    const others: Channel[] = [];
    for (const key of envelope.alsoRoutedTo ?? []) {
      const other = await this.channels.forWebhook(provider, key);
      if (other && other.id !== channel?.id && !others.some((o) => o.id === other.id)) others.push(other);
    }
    const targets = channel ? [channel, ...others] : others;
    if (targets.length === 0) {
      const which = envelope.routingKey ? ` for "${envelope.routingKey}"` : '';
      throw new WebhookRejection(404, `no ${provider} channel${which} is configured on this server`);
    }
    for (const target of targets) adapter.verifyWebhook(req, this.channels.context(target));
    // One stored event per channel: each channel's ingest takes its own part of the body.
    const ids = await Promise.all(
      targets.map((target, i) =>
        this.batcher.store({
          provider,
          channelId: target.id,
          dedupeKey: i === 0 && channel ? envelope.dedupeKey : `${envelope.dedupeKey}:${target.id}`,
          eventType: envelope.eventType,
          contentType: header(req, 'content-type') ?? null,
          rawBody: req.rawBody.toString('utf8'),
        }),
      ),
    );
    return { ok: true, duplicate: ids.every((id) => id === null), eventId: ids[0] };
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
