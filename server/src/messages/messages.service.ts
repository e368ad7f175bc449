import { InjectQueue } from '@nestjs/bull';
import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  catalogEntry,
  serviceWindowOpen,
  type AttachmentRef,
  type MessageView,
  type Page,
  type TemplateRef,
  type ThreadView,
} from '@switchboard/contracts';
import type { Queue } from 'bull';
import { DataSource, type EntityManager } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { camelize } from '../common/rows';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ContactsService } from '../contacts/contacts.service';
import { normalizeTypedPhone } from '../contacts/identity';
import { ProvidersRegistry } from '../providers/providers.registry';
import { enqueueDurable } from '../queues/enqueue';
import { jobIds, QUEUES, type SendMessageJob } from '../queues/queues';
import { RealtimeService } from '../realtime/realtime.service';
import { Tenant } from '../tenants/tenant.entity';
import type { Thread } from '../threads/thread.entity';
import { ThreadStore } from '../threads/thread-store';
import { MediaStore } from './media-store';
import type { Message } from './message.entity';
import { MessageStore } from './message-store';
import { renderTemplate } from './template-render';
import { TemplatesService } from './templates.service';
import { uploadKind } from './upload-policy';
import { previewOf, toMessageView, type SendMessageDto, type StartThreadDto } from './messages.dto';

@Injectable()
export class MessagesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectQueue(QUEUES.outbound) private readonly outbound: Queue<SendMessageJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly messages: MessageStore,
    private readonly threads: ThreadStore,
    private readonly contacts: ContactsService,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
    private readonly realtime: RealtimeService,
    private readonly media: MediaStore,
    private readonly templates: TemplatesService,
  ) {}

  /** Chronological page; `nextCursor` pages backwards into older history. */
  async list(tenantId: string, threadId: string, rawCursor: unknown, limit: number): Promise<Page<MessageView>> {
    if (!(await this.threads.find(this.db.manager, tenantId, threadId))) throw new NotFoundException(`thread ${threadId} not found`);
    const cursor = decodeCursor(rawCursor);
    const params: unknown[] = [threadId];
    let where = 'thread_id = $1';
    if (cursor?.at) {
      params.push(cursor.at, cursor.id);
      where += ' AND (ordered_at, id) < ($2::timestamptz, $3::uuid)';
    }
    const rows: Record<string, unknown>[] = await this.db.query(
      `SELECT * FROM messages WHERE ${where} ORDER BY ordered_at DESC, id DESC LIMIT ${limit + 1}`,
      params,
    );
    const page = rows.slice(0, limit).map((r) => camelize<Message>(r));
    const oldest = page[page.length - 1];
    return {
      items: page.reverse().map(toMessageView),
      nextCursor: rows.length > limit && oldest ? encodeCursor(oldest.orderedAt, oldest.id) : null,
    };
  }

  /**
   * Stores the message `pending` (once per clientMessageId), then queues the send. A repeated
   * clientMessageId returns the first message and never reaches the provider again.
   */
  async send(tenantId: string, threadId: string, dto: SendMessageDto): Promise<MessageView> {
    const message = await this.db.transaction(async (m) => {
      const thread = await this.threads.find(m, tenantId, threadId);
      if (!thread) throw new NotFoundException(`thread ${threadId} not found`);
      return this.createOutbound(m, thread, dto);
    });
    await this.enqueue(message);
    return toMessageView(message);
  }

  /** Starts (or continues) a conversation with a number typed in any format. */
  async start(tenant: Tenant, dto: StartThreadDto): Promise<{ thread: ThreadView; message: MessageView }> {
    const channel = await this.channels.get(tenant.id, dto.channelId);
    const phone = normalizeTypedPhone(dto.to, tenant.defaultCountry);
    if (!phone) throw new BadRequestException(`"${dto.to}" is not a valid phone number (default country ${tenant.defaultCountry})`);
    const raw = this.registry.get(channel.provider).rawAddressForPhone(phone);
    const message = await this.db.transaction(async (m) => {
      const identity = { kind: 'person' as const, address: phone, phone, raw, aliases: [] };
      const { contact } = await this.contacts.resolve(m, tenant.id, identity, null);
      const thread = await this.threads.upsert(m, {
        tenantId: tenant.id,
        channelId: channel.id,
        contactId: contact.id,
        identity,
        displayName: null,
        at: new Date(),
      });
      return this.createOutbound(m, thread, dto);
    });
    await this.enqueue(message);
    const thread = (await this.threads.view(this.db.manager, message.threadId))!;
    return { thread, message: toMessageView(message) };
  }

  /** Re-queues a failed outbound message: an explicit agent action, so it may leave `failed`. */
  async retry(tenantId: string, messageId: string): Promise<MessageView> {
    const message = await this.db.transaction(async (m) => {
      const msg = await this.messages.byId(m, messageId, true);
      if (!msg || msg.tenantId !== tenantId) throw new NotFoundException(`message ${messageId} not found`);
      if (msg.direction !== 'outbound' || msg.origin === 'device')
        throw new BadRequestException('only messages sent from the inbox can be retried');
      if (msg.status !== 'failed') throw new ConflictException(`message is ${msg.status}, only failed messages can be retried`);
      if (msg.providerMessageId) throw new ConflictException('the provider accepted this message; it cannot be sent again');
      await m.query(`UPDATE messages SET status = 'pending', error = NULL, updated_at = now() WHERE id = $1`, [msg.id]);
      msg.status = 'pending';
      msg.error = null;
      await this.realtime.append(m, tenantId, msg.threadId, {
        type: 'status_update',
        data: { threadId: msg.threadId, messageId: msg.id, status: 'pending', providerMessageId: null, error: null },
      });
      return msg;
    });
    await this.enqueue(message);
    return toMessageView(message);
  }

  async enqueue(message: Pick<Message, 'id' | 'channelId' | 'status'>): Promise<void> {
    if (message.status !== 'pending') return;
    await enqueueDurable(this.outbound, [
      {
        data: { messageId: message.id, channelId: message.channelId },
        opts: {
          jobId: jobIds.send(message.id),
          attempts: this.config.send.attempts,
          backoff: { type: 'exponential', delay: this.config.send.backoffMs },
          removeOnComplete: true,
          removeOnFail: true,
        },
      },
    ]);
  }

  private async createOutbound(m: EntityManager, thread: Thread, dto: SendMessageDto | StartThreadDto): Promise<Message> {
    const existing = await this.messages.byClientId(m, thread.tenantId, dto.clientMessageId);
    if (existing) return this.sameRequest(existing, thread.id);
    const channel = await this.channels.byId(thread.channelId);
    const template = dto.template;
    const attachment = 'attachments' in dto ? dto.attachments?.[0] : undefined;
    const entry = channel ? catalogEntry(channel.provider) : null;
    if (template && channel && !this.registry.get(channel.provider).sendTemplate) {
      throw new BadRequestException(`${channel.provider} channels cannot send WhatsApp templates`);
    }
    if (attachment && channel && !this.registry.get(channel.provider).sendMedia) {
      throw new BadRequestException(`${channel.provider} channels cannot send files`);
    }
    if (!template && entry && !serviceWindowOpen(entry, thread.lastInboundAt)) {
      // Refused here, before anything is stored or sent: Meta would accept the request and fail
      // it later with 131047, after the agent had moved on.
      throw new UnprocessableEntityException(
        `window_closed: the customer's last message is more than ${entry.serviceWindowHours} hours old (or there is none); WhatsApp only allows an approved template now`,
      );
    }
    let replyTo: Message | null = null;
    if ('replyToId' in dto && dto.replyToId) {
      replyTo = await this.messages.byId(m, dto.replyToId);
      if (!replyTo || replyTo.threadId !== thread.id) throw new BadRequestException('replyToId is not a message of this conversation');
    }
    const content = await this.content(m, thread, dto.body ?? null, attachment, template);
    const now = new Date();
    const inserted = await this.messages.insert(m, {
      tenantId: thread.tenantId,
      threadId: thread.id,
      channelId: thread.channelId,
      direction: 'outbound',
      origin: 'agent',
      ...content,
      status: 'pending',
      providerMessageId: null,
      clientMessageId: dto.clientMessageId,
      sentAt: null,
      orderedAt: now,
      location: null,
      replyToId: replyTo?.id ?? null,
      replyToProviderId: replyTo?.providerMessageId ?? null,
    });
    // A concurrent request with the same clientMessageId won the insert: answer with its row.
    if (!inserted) return this.sameRequest((await this.messages.byClientId(m, thread.tenantId, dto.clientMessageId))!, thread.id);
    if (attachment && !(await this.media.attachUpload(thread.tenantId, attachment.uploadId, inserted.id))) {
      throw new BadRequestException(`upload ${attachment.uploadId} is gone; upload the file again`);
    }
    await this.threads.applyMessage(m, thread.id, { orderedAt: now, preview: previewOf(inserted), inbound: false });
    const view = (await this.threads.view(m, thread.id))!;
    await this.realtime.append(m, thread.tenantId, thread.id, {
      type: 'new_message',
      data: { threadId: thread.id, message: toMessageView(inserted), thread: view },
    });
    return inserted;
  }

  /** What an outbound message carries: text, one uploaded file (body as caption), or a template. */
  private async content(
    m: EntityManager,
    thread: Thread,
    body: string | null,
    attachment: AttachmentRef | undefined,
    template: TemplateRef | undefined,
  ): Promise<Pick<Message, 'kind' | 'body' | 'media' | 'template'>> {
    if (template) {
      const view = await this.templates.checkSend(m, thread.channelId, template);
      return { kind: 'template', body: renderTemplate(template, view), media: null, template };
    }
    if (attachment) {
      const upload = await this.media.openUpload(thread.tenantId, attachment.uploadId);
      if (!upload) throw new BadRequestException(`upload ${attachment.uploadId} not found; upload the file first`);
      upload.stream.destroy();
      const kind = uploadKind(upload.mimeType);
      return {
        kind: kind === 'audio' && attachment.voice ? 'voice' : kind,
        body,
        media: {
          mimeType: upload.mimeType,
          fileName: upload.fileName,
          size: upload.size,
          durationSec: null,
          providerRef: null,
          stored: true,
        },
        template: null,
      };
    }
    return { kind: 'text', body, media: null, template: null };
  }

  private sameRequest(existing: Message, threadId: string): Message {
    if (existing.threadId !== threadId)
      throw new ConflictException('clientMessageId was already used for a message in another conversation');
    return existing;
  }
}
