import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { catalogEntry, channelPacing, type MessageErrorView } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { ProviderError } from '../providers/provider-error';
import { ProvidersRegistry } from '../providers/providers.registry';
import type { OutboundMedia, OutboundText, SendResult } from '../providers/provider.types';
import type { Channel } from '../channels/channel.entity';
import { MediaLinks } from './media-links';
import { MediaStore } from './media-store';
import { RealtimeService } from '../realtime/realtime.service';
import { ThreadStore } from '../threads/thread-store';
import { MessageStore } from './message-store';
import type { Message } from './message.entity';
import { SendRateLimiter } from './send-rate-limiter';

/** How long a send waits for an earlier message of the same conversation before yielding. */
const ORDER_WAIT_MS = 3000;
const ORDER_POLL_MS = 50;

const OUTBOUND_MEDIA_KINDS: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker']);

/** After a provider 429 nothing leaves the channel for this long. */
const RATE_LIMIT_PAUSE_MS = 3000;
/** A message still rate limited this long after it was written fails instead of waiting on. */
const RATE_LIMIT_GIVE_UP_MS = 3_600_000;

export type SendOutcome = 'sent' | 'failed' | 'skipped' | 'deferred';

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
    private readonly threads: ThreadStore,
    private readonly media: MediaStore,
    private readonly links: MediaLinks,
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
    const thread: { raw_address: string; address: string; opted_out: boolean | null }[] = await this.db.query(
      `SELECT t.raw_address, t.address, c.opted_out FROM threads t LEFT JOIN contacts c ON c.id = t.contact_id WHERE t.id = $1`,
      [message.threadId],
    );
    if (!channel || !thread[0]) return this.fail(message, new ProviderError('bad_request', 'the channel or conversation no longer exists'));
    // Checked at the moment of sending, not only when the message was written: a STOP that
    // arrives while a reply waits in the queue still stops it.
    if (thread[0].opted_out) {
      return this.fail(
        message,
        new ProviderError('opted_out', 'opted_out: this contact replied STOP; they must send START before they can be messaged again'),
      );
    }
    try {
      await this.waitForEarlierSends(message);
      const replyTo = message.replyToId ? await this.messages.byId(this.db.manager, message.replyToId) : null;
      await this.rateLimiter.acquire(
        channel.id,
        `${message.id}:${Date.now()}`,
        channelPacing(catalogEntry(channel.provider), channel.config),
      );
      const result = await this.dispatch(channel, message, {
        messageId: message.id,
        to: thread[0].raw_address,
        address: thread[0].address,
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
      if (pe.code === 'rate_limited') {
        // The whole channel backs off, not just this job: the next sends would hit the same limit.
        await this.rateLimiter.pause(channel.id, RATE_LIMIT_PAUSE_MS);
        // A rate limit is not the message's fault: past its last attempt it stays pending and the
        // sweeper queues it again, for up to RATE_LIMIT_GIVE_UP_MS after it was written.
        if (lastAttempt && Date.now() - new Date(message.createdAt).getTime() < RATE_LIMIT_GIVE_UP_MS) {
          await this.recordRetryableError(message, pe);
          return 'deferred';
        }
      }
      if (pe.retryable && !lastAttempt) {
        await this.recordRetryableError(message, pe);
        throw pe;
      }
      return this.fail(message, pe);
    }
  }

  /** Shown on the still-pending bubble ("retrying: rate limited…"), cleared when it is sent. */
  private async recordRetryableError(message: Message, pe: ProviderError): Promise<void> {
    await this.db.query(`UPDATE messages SET error = $2 WHERE id = $1 AND status = 'pending'`, [message.id, JSON.stringify(errorView(pe))]);
  }

  /** The one provider call a message needs: a template, a file (with its caption) or text. */
  private async dispatch(
    channel: Channel,
    message: Message,
    target: Pick<OutboundText, 'to' | 'address' | 'replyTo' | 'messageId'>,
  ): Promise<SendResult> {
    const adapter = this.registry.get(channel.provider);
    const ctx = this.channels.context(channel);
    if (message.kind === 'template' && message.template) {
      if (!adapter.sendTemplate) throw new ProviderError('bad_request', `${channel.provider} cannot send templates`);
      return adapter.sendTemplate(ctx, { to: target.to, address: target.address, template: message.template });
    }
    if (message.media && OUTBOUND_MEDIA_KINDS.has(message.kind)) {
      if (!adapter.sendMedia) throw new ProviderError('bad_request', `${channel.provider} cannot send files`);
      const file = await this.media.bytes(message.tenantId, message.id);
      if (!file) throw new ProviderError('bad_request', 'the attached file is no longer stored; attach it again');
      return adapter.sendMedia(ctx, {
        ...target,
        kind: message.kind as OutboundMedia['kind'],
        caption: message.body,
        mimeType: file.mimeType,
        fileName: file.fileName ?? 'file',
        bytes: file.bytes,
        publicUrl: this.links.url(message.id),
      });
    }
    return adapter.sendText(ctx, { ...target, text: message.body ?? '' });
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
      // The provider refused because the contact unsubscribed (Twilio 21610) without us having
      // seen their STOP: record it, so later sends stop before leaving.
      if (err.code === 'opted_out') {
        const [contacts]: [{ id: string }[], number] = await m.query(
          `UPDATE contacts SET opted_out = true, updated_at = now()
           WHERE id = (SELECT contact_id FROM threads WHERE id = $1) AND opted_out = false RETURNING id`,
          [message.threadId],
        );
        const threads: { id: string }[] = contacts.length
          ? await m.query(`SELECT id FROM threads WHERE contact_id = $1`, [contacts[0].id])
          : [];
        for (const { id } of threads) {
          const thread = await this.threads.view(m, id);
          if (thread) await this.realtime.append(m, message.tenantId, id, { type: 'thread_updated', data: { thread } });
        }
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
