import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MessageErrorView } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { ProviderError } from '../providers/provider-error';
import { ProvidersRegistry } from '../providers/providers.registry';
import { RealtimeService } from '../realtime/realtime.service';
import { MessageStore } from './message-store';
import type { Message } from './message.entity';
import { SendRateLimiter } from './send-rate-limiter';

/** How long a send waits for an earlier message of the same conversation before yielding. */
const ORDER_WAIT_MS = 3000;
const ORDER_POLL_MS = 50;

export type SendOutcome = 'sent' | 'failed' | 'skipped';

/**
 * The one place that decides what a provider error means for a send: retry (Bull backoff),
 * fail with the reason shown to the agent, or fail and flag the channel for re-authentication.
 */
@Injectable()
export class OutboundSender {
  private readonly logger = new Logger(OutboundSender.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly messages: MessageStore,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
    private readonly realtime: RealtimeService,
    private readonly rateLimiter: SendRateLimiter,
  ) {}

  /**
   * Sends one pending message. Throws a retryable ProviderError to ask Bull for another attempt;
   * on the last attempt, or for errors retrying cannot fix, records `failed` instead.
   */
  async send(messageId: string, lastAttempt: boolean): Promise<SendOutcome> {
    const message = await this.messages.byId(this.db.manager, messageId);
    // Idempotent: a job that runs again after the message moved on does nothing.
    if (!message || message.status !== 'pending' || message.providerMessageId) return 'skipped';
    const channel = await this.channels.byId(message.channelId);
    const thread: { raw_address: string; address: string }[] = await this.db.query(
      `SELECT raw_address, address FROM threads WHERE id = $1`,
      [message.threadId],
    );
    if (!channel || !thread[0]) return this.fail(message, new ProviderError('bad_request', 'the channel or conversation no longer exists'));
    try {
      await this.waitForEarlierSends(message);
      const replyTo = message.replyToId ? await this.messages.byId(this.db.manager, message.replyToId) : null;
      await this.rateLimiter.acquire(channel.id, `${message.id}:${Date.now()}`);
      const result = await this.registry.get(channel.provider).sendText(this.channels.context(channel), {
        to: thread[0].raw_address,
        address: thread[0].address,
        text: message.body ?? '',
        replyTo: replyTo?.providerMessageId
          ? { providerMessageId: replyTo.providerMessageId, fromMe: replyTo.direction === 'outbound', body: replyTo.body }
          : null,
      });
      await this.recordSent(message, result.providerMessageId);
      return 'sent';
    } catch (err) {
      // Anything that is not the provider's answer (Redis or PostgreSQL briefly away) is ours to
      // retry; only the last attempt turns it into a visible failure.
      const pe =
        err instanceof ProviderError ? err : new ProviderError('unavailable', `could not send: ${(err as Error).message}`, null, true);
      if (pe.retryable && !lastAttempt) {
        await this.db.query(`UPDATE messages SET error = $2 WHERE id = $1 AND status = 'pending'`, [
          message.id,
          JSON.stringify(errorView(pe)),
        ]);
        throw pe;
      }
      return this.fail(message, pe);
    }
  }

  /**
   * Messages of one conversation leave in the order they were written: with several workers a
   * later message could otherwise overtake an earlier one still in flight.
   */
  private async waitForEarlierSends(message: Message): Promise<void> {
    const deadline = Date.now() + ORDER_WAIT_MS;
    for (;;) {
      const rows: unknown[] = await this.db.query(
        `SELECT 1 FROM messages WHERE thread_id = $1 AND status = 'pending' AND direction = 'outbound'
           AND (created_at, id) < ($2, $3) LIMIT 1`,
        [message.threadId, message.createdAt, message.id],
      );
      if (rows.length === 0) return;
      if (Date.now() > deadline) throw new ProviderError('unavailable', 'waiting for an earlier message of this conversation to be sent');
      await new Promise((r) => setTimeout(r, ORDER_POLL_MS));
    }
  }

  private async recordSent(message: Message, providerMessageId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const locked = (await this.messages.byId(m, message.id, true))!;
      // The provider's echo may have claimed the message first (ingest's echo matcher): same id.
      await m.query(
        `UPDATE messages SET provider_message_id = $2, sent_at = coalesce(sent_at, now()), error = NULL, updated_at = now() WHERE id = $1`,
        [message.id, providerMessageId],
      );
      locked.providerMessageId = providerMessageId;
      locked.error = null;
      const moved = await this.messages.applyStatus(m, locked, 'sent', null);
      if (moved || locked.status !== 'pending') {
        await this.realtime.append(m, message.tenantId, message.threadId, {
          type: 'status_update',
          data: { threadId: message.threadId, messageId: message.id, status: locked.status, providerMessageId, error: null },
        });
      }
    });
  }

  private async fail(message: Message, err: ProviderError): Promise<SendOutcome> {
    this.logger.warn(`send ${message.id} failed: ${err.code}: ${err.message}`);
    await this.db.transaction(async (m) => {
      const locked = (await this.messages.byId(m, message.id, true))!;
      const error = errorView(err);
      if (await this.messages.applyStatus(m, locked, 'failed', error)) {
        await this.realtime.append(m, message.tenantId, message.threadId, {
          type: 'status_update',
          data: { threadId: message.threadId, messageId: message.id, status: 'failed', providerMessageId: locked.providerMessageId, error },
        });
      }
      if (err.code === 'auth') {
        const channel = await this.channels.setConnection(m, message.channelId, { state: 'disconnected', needsReauth: true });
        if (channel)
          await this.realtime.append(m, message.tenantId, null, {
            type: 'channel_updated',
            data: { channel: this.channels.view(channel) },
          });
      }
    });
    return 'failed';
  }
}

export function errorView(err: ProviderError): MessageErrorView {
  return { code: err.code, message: err.message, providerCode: err.providerCode, retryable: err.retryable };
}
