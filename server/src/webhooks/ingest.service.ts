import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bull';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { enqueueDurable } from '../queues/enqueue';
import { jobIds, QUEUES, type FetchMediaJob } from '../queues/queues';
import { InjectDataSource } from '@nestjs/typeorm';
import type { MessageStatus } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { Channel } from '../channels/channel.entity';
import { ChannelsService } from '../channels/channels.service';
import { HistorySyncTracker } from '../channels/history-sync.tracker';
import { camelize } from '../common/rows';
import { ContactsService } from '../contacts/contacts.service';
import type { Message } from '../messages/message.entity';
import { MediaStore } from '../messages/media-store';
import { MessageStore } from '../messages/message-store';
import { previewOf, toMessageView } from '../messages/messages.dto';
import { errorView } from '../messages/outbound-sender';
import type { ProviderError } from '../providers/provider-error';
import { ProvidersRegistry } from '../providers/providers.registry';
import type { InboundMessage, NeutralEvent } from '../providers/provider.types';
import { RealtimeService } from '../realtime/realtime.service';
import { ThreadStore } from '../threads/thread-store';
import type { WebhookEvent } from './webhook-event.entity';

/**
 * A receipt, reaction or deletion whose target message is not stored yet. Providers post
 * concurrently and out of order (a receipt can overtake the message, or the answer to our own
 * send), so the ingest job retries a few times before deciding the target is unknown.
 */
export class TargetNotYetKnown extends Error {
  constructor(providerMessageId: string) {
    super(`no message ${providerMessageId} yet`);
  }
}

/** Throws TargetNotYetKnown (retry later) or, on the last attempt, returns the ignored outcome. */
type UnknownTarget = (providerMessageId: string, outcome: string) => string;

/** How recent a pending message must be for a provider echo to be matched to it by text. */
const ECHO_MATCH_WINDOW = '10 minutes';

/**
 * Turns a stored webhook into state. The adapter yields neutral events; each is applied in its
 * own transaction, idempotently (unique keys, the status lattice, set-like reactions), so a
 * job that runs twice, or events delivered twice, change nothing the second time.
 */
@Injectable()
export class IngestService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
    private readonly contacts: ContactsService,
    private readonly threads: ThreadStore,
    private readonly messages: MessageStore,
    private readonly realtime: RealtimeService,
    private readonly media: MediaStore,
    private readonly history: HistorySyncTracker,
    @InjectQueue(QUEUES.media) private readonly mediaQueue: Queue<FetchMediaJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Processes one stored event; returns the outcomes, or null when it was already done.
   * On the last attempt an event whose target message never appeared is recorded as ignored.
   */
  async process(eventId: string, lastAttempt = true): Promise<string[] | null> {
    const rows: Record<string, unknown>[] = await this.db.query(`SELECT * FROM webhook_events WHERE id = $1`, [eventId]);
    const event = rows[0] ? camelize<WebhookEvent>(rows[0]) : null;
    if (!event || event.state !== 'pending') return null;
    const channel = event.channelId ? await this.channels.byId(event.channelId) : null;
    let outcomes: string[];
    if (!channel) {
      outcomes = ['ignored:channel_removed'];
    } else {
      const neutral = this.registry.get(channel.provider).parseWebhook(storedBody(event), this.channels.context(channel));
      outcomes = [];
      const fetchMedia: string[] = [];
      for (const ev of neutral) outcomes.push(await this.apply(channel, ev, lastAttempt, fetchMedia));
      // After commit: the job must find the message. If Redis is away, the file is fetched on first view.
      await enqueueDurable(
        this.mediaQueue,
        fetchMedia.map((messageId) => ({
          data: { messageId },
          opts: {
            jobId: jobIds.media(messageId),
            attempts: this.config.mediaFetch.attempts,
            backoff: { type: 'exponential', delay: this.config.mediaFetch.backoffMs },
            removeOnComplete: true,
            removeOnFail: true,
          },
        })),
      );
    }
    const state = outcomes.every((o) => o.startsWith('ignored')) ? 'ignored' : 'processed';
    await this.db.query(
      `UPDATE webhook_events SET state = $2, outcome = $3, error = NULL, attempts = attempts + 1, processed_at = now() WHERE id = $1`,
      [eventId, state, outcomes.join(',')],
    );
    return outcomes;
  }

  async recordFailure(eventId: string, err: Error, final: boolean): Promise<void> {
    await this.db.query(
      `UPDATE webhook_events SET attempts = attempts + 1, error = $2, state = CASE WHEN $3 THEN 'failed' ELSE state END WHERE id = $1`,
      [eventId, err.message.slice(0, 1000), final],
    );
  }

  private apply(channel: Channel, ev: NeutralEvent, lastAttempt: boolean, fetchMedia: string[]): Promise<string> {
    const unknown = (providerMessageId: string, outcome: string): string => {
      if (!lastAttempt) throw new TargetNotYetKnown(providerMessageId);
      return outcome;
    };
    switch (ev.type) {
      case 'message':
        return this.db.transaction(async (m) => {
          const outcome = await this.applyMessage(m, channel, ev.message, fetchMedia);
          // A running history import counts what it brought in (new) and what we had (duplicate).
          if (!ev.message.fromMe && this.registry.get(channel.provider).requestHistory) await this.history.record(m, channel.id, outcome);
          return outcome;
        });
      case 'status':
        return this.db.transaction((m) =>
          this.applyStatus(m, channel, ev.providerMessageId, ev.status, ev.error ? errorView(ev.error) : null, unknown),
        );
      case 'reaction':
        return this.db.transaction((m) => this.applyReaction(m, channel, ev, unknown));
      case 'deleted':
        return this.db.transaction((m) => this.applyDeleted(m, channel, ev.providerMessageId, unknown));
      case 'connection':
        return this.db.transaction((m) => this.applyConnection(m, channel, ev));
      case 'opt_out':
        return this.db.transaction((m) => this.applyOptOut(m, channel, ev));
      case 'ignored':
        return Promise.resolve(`ignored:${ev.reason}`);
    }
  }

  private async applyMessage(m: EntityManager, channel: Channel, msg: InboundMessage, fetchMedia: string[]): Promise<string> {
    const existing = await this.messages.byProviderId(m, channel.id, msg.providerMessageId, true);
    if (existing) {
      // Our own send echoed back (send.message / messages.upsert fromMe): never a second bubble.
      if (msg.fromMe && msg.status) return (await this.moveStatus(m, existing, msg.status, null)) ? 'echo_status' : 'echo';
      return 'duplicate';
    }
    const { contact, identity } = await this.contacts.resolve(m, channel.tenantId, msg.identity, msg.profileName);
    const thread = await this.threads.upsert(m, {
      tenantId: channel.tenantId,
      channelId: channel.id,
      contactId: contact.id,
      identity,
      displayName: msg.profileName,
      at: msg.sentAt,
    });
    if (msg.fromMe) {
      const claimed = await this.claimEcho(m, thread.id, msg);
      if (claimed) return 'echo_claimed';
    }
    const replyTo = msg.replyToProviderId ? await this.messages.byProviderId(m, channel.id, msg.replyToProviderId) : null;
    const inserted = await this.messages.insert(m, {
      tenantId: channel.tenantId,
      threadId: thread.id,
      channelId: channel.id,
      direction: msg.fromMe ? 'outbound' : 'inbound',
      // A fromMe message the inbox did not send was typed on the business phone.
      origin: msg.fromMe ? 'device' : 'contact',
      kind: msg.kind,
      body: msg.body,
      status: msg.fromMe ? higherOf(msg.status, 'sent') : 'delivered',
      providerMessageId: msg.providerMessageId,
      clientMessageId: null,
      sentAt: msg.sentAt,
      orderedAt: msg.sentAt,
      media: msg.media,
      location: msg.location,
      replyToId: replyTo?.id ?? null,
      replyToProviderId: msg.replyToProviderId,
    });
    if (!inserted) return 'duplicate';
    if (inserted.media && msg.inlineMedia) {
      // Bytes that came with the webhook are kept now: nothing to fetch later, even if the
      // provider does not store messages.
      await this.media.save(inserted.tenantId, inserted.id, msg.inlineMedia, {
        mimeType: inserted.media.mimeType ?? 'application/octet-stream',
        fileName: inserted.media.fileName,
      });
    } else if (inserted.media?.providerRef) {
      fetchMedia.push(inserted.id);
    }
    await this.threads.applyMessage(m, thread.id, { orderedAt: msg.sentAt, preview: previewOf(inserted), inbound: !msg.fromMe });
    await this.resolveWaitingReplies(m, inserted);
    const view = (await this.threads.view(m, thread.id))!;
    await this.realtime.append(m, channel.tenantId, thread.id, {
      type: 'new_message',
      data: { threadId: thread.id, message: toMessageView(inserted), thread: view },
    });
    return msg.fromMe ? 'device_message' : 'message';
  }

  /** Replies delivered before the message they quote now point at it. */
  private async resolveWaitingReplies(m: EntityManager, quoted: Message): Promise<void> {
    const [rows]: [Record<string, unknown>[], number] = await m.query(
      `UPDATE messages SET reply_to_id = $1, updated_at = now()
       WHERE channel_id = $2 AND reply_to_provider_id = $3 AND reply_to_id IS NULL RETURNING *`,
      [quoted.id, quoted.channelId, quoted.providerMessageId],
    );
    for (const row of rows) {
      const reply = camelize<Message>(row);
      await this.realtime.append(m, reply.tenantId, reply.threadId, {
        type: 'message_updated',
        data: { threadId: reply.threadId, message: toMessageView(reply) },
      });
    }
  }

  /**
   * The echo of a send can arrive before the send job has stored the provider's id (Evolution
   * fires send.message while its HTTP response is still on the way). Match it to our pending
   * message with the same text in the same conversation instead of showing it twice.
   */
  private async claimEcho(m: EntityManager, threadId: string, msg: InboundMessage): Promise<boolean> {
    const rows: Record<string, unknown>[] = await m.query(
      `SELECT * FROM messages WHERE thread_id = $1 AND direction = 'outbound' AND origin IN ('agent', 'assistant')
         AND provider_message_id IS NULL AND status = 'pending' AND body IS NOT DISTINCT FROM $2
         AND created_at > now() - interval '${ECHO_MATCH_WINDOW}'
       ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [threadId, msg.body],
    );
    if (!rows[0]) return false;
    const ours = camelize<Message>(rows[0]);
    await m.query(`UPDATE messages SET provider_message_id = $2, sent_at = coalesce(sent_at, $3), updated_at = now() WHERE id = $1`, [
      ours.id,
      msg.providerMessageId,
      msg.sentAt,
    ]);
    ours.providerMessageId = msg.providerMessageId;
    await this.moveStatus(m, ours, higherOf(msg.status, 'sent'), null);
    return true;
  }

  /** A status read back by the receipt poller, applied like a webhook's; returns whether it moved. */
  async applyPolledStatus(
    channel: Channel,
    providerMessageId: string,
    status: MessageStatus,
    error: ProviderError | null,
  ): Promise<boolean> {
    const outcome = await this.db.transaction((m) =>
      this.applyStatus(m, channel, providerMessageId, status, error ? errorView(error) : null, (_id, o) => o),
    );
    return outcome === 'status';
  }

  private async applyStatus(
    m: EntityManager,
    channel: Channel,
    providerMessageId: string,
    status: MessageStatus,
    error: ReturnType<typeof errorView> | null,
    unknown: UnknownTarget,
  ): Promise<string> {
    const msg = await this.messages.byProviderId(m, channel.id, providerMessageId, true);
    // Receipts for messages never stored (sent elsewhere) touch nothing, once we are sure.
    if (!msg) return unknown(providerMessageId, 'ignored:unknown_message');
    return (await this.moveStatus(m, msg, status, error)) ? 'status' : 'status_stale';
  }

  private async moveStatus(
    m: EntityManager,
    msg: Message,
    status: MessageStatus,
    error: ReturnType<typeof errorView> | null,
  ): Promise<boolean> {
    if (!(await this.messages.applyStatus(m, msg, status, error))) return false;
    await this.realtime.append(m, msg.tenantId, msg.threadId, {
      type: 'status_update',
      data: { threadId: msg.threadId, messageId: msg.id, status: msg.status, providerMessageId: msg.providerMessageId, error: msg.error },
    });
    return true;
  }

  private async applyReaction(
    m: EntityManager,
    channel: Channel,
    ev: Extract<NeutralEvent, { type: 'reaction' }>,
    unknown: UnknownTarget,
  ): Promise<string> {
    const target = await this.messages.byProviderId(m, channel.id, ev.targetProviderMessageId, true);
    if (!target) return unknown(ev.targetProviderMessageId, 'ignored:reaction_unknown_message');
    const by = ev.fromMe ? 'business' : ev.identity.address;
    const reactions = (target.reactions ?? []).filter((r) => r.by !== by);
    if (ev.emoji) reactions.push({ emoji: ev.emoji, by });
    await m.query(`UPDATE messages SET reactions = $2::jsonb, updated_at = now() WHERE id = $1`, [target.id, JSON.stringify(reactions)]);
    target.reactions = reactions;
    await this.realtime.append(m, target.tenantId, target.threadId, {
      type: 'message_updated',
      data: { threadId: target.threadId, message: toMessageView(target) },
    });
    return 'reaction';
  }

  private async applyDeleted(m: EntityManager, channel: Channel, providerMessageId: string, unknown: UnknownTarget): Promise<string> {
    const msg = await this.messages.byProviderId(m, channel.id, providerMessageId, true);
    if (!msg) return unknown(providerMessageId, 'ignored:delete_unknown_message');
    if (msg.deletedAt) return 'deleted_already';
    msg.deletedAt = new Date();
    await m.query(`UPDATE messages SET deleted_at = $2, updated_at = now() WHERE id = $1`, [msg.id, msg.deletedAt]);
    // If it was the conversation's last message, the list must not keep showing its text.
    await m.query(`UPDATE threads SET last_message_preview = $3 WHERE id = $1 AND last_message_at = $2`, [
      msg.threadId,
      msg.orderedAt,
      previewOf(msg),
    ]);
    await this.realtime.append(m, msg.tenantId, msg.threadId, {
      type: 'message_updated',
      data: { threadId: msg.threadId, message: toMessageView(msg) },
    });
    const thread = await this.threads.view(m, msg.threadId);
    if (thread) await this.realtime.append(m, msg.tenantId, msg.threadId, { type: 'thread_updated', data: { thread } });
    return 'deleted';
  }

  /** STOP / START: recorded on the contact, so every later send to them is refused before leaving. */
  private async applyOptOut(m: EntityManager, channel: Channel, ev: Extract<NeutralEvent, { type: 'opt_out' }>): Promise<string> {
    const { contact } = await this.contacts.resolve(m, channel.tenantId, ev.identity, null);
    if (contact.optedOut === ev.optedOut) return 'opt_out_unchanged';
    await m.query(`UPDATE contacts SET opted_out = $2, updated_at = now() WHERE id = $1`, [contact.id, ev.optedOut]);
    const threads: { id: string }[] = await m.query(`SELECT id FROM threads WHERE contact_id = $1`, [contact.id]);
    for (const { id } of threads) {
      const thread = await this.threads.view(m, id);
      if (thread) await this.realtime.append(m, channel.tenantId, id, { type: 'thread_updated', data: { thread } });
    }
    return ev.optedOut ? 'opted_out' : 'opted_in';
  }

  private async applyConnection(m: EntityManager, channel: Channel, ev: Extract<NeutralEvent, { type: 'connection' }>): Promise<string> {
    const updated = await this.channels.setConnection(m, channel.id, {
      state: ev.state,
      address: ev.ownAddress,
      needsReauth: ev.needsReauth,
      qr: ev.qr,
    });
    if (updated)
      await this.realtime.append(m, channel.tenantId, null, { type: 'channel_updated', data: { channel: this.channels.view(updated) } });
    return 'connection';
  }
}

/** A stored body as adapters read it: form-encoded bodies (Twilio) stay the raw text, the rest is JSON. */
function storedBody(event: WebhookEvent): unknown {
  return /^application\/x-www-form-urlencoded\b/i.test(event.contentType ?? '') ? event.rawBody : JSON.parse(event.rawBody);
}

const ORDER: MessageStatus[] = ['pending', 'sent', 'delivered', 'read', 'played'];

function higherOf(a: MessageStatus | null, b: MessageStatus): MessageStatus {
  if (!a || a === 'failed') return b;
  return ORDER.indexOf(a) > ORDER.indexOf(b) ? a : b;
}
