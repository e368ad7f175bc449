import { BadRequestException } from '@nestjs/common';
import type {
  AttachmentRef,
  MessageView,
  SendMessageRequest,
  StartThreadRequest,
  TemplateComponentRef,
  TemplateRef,
} from '@switchboard/contracts';
import { iso } from '../common/rows';
import { isUuid, optionalString, requireObject, requiredString, requireUuid } from '../common/validate';
import type { Message } from './message.entity';

/** WhatsApp's limit for a text body (Meta: 4096 characters). */
export const MAX_BODY = 4096;

function clientMessageId(o: Record<string, unknown>): string {
  const id = requiredString(o, 'clientMessageId', { max: 100 });
  if (!/^[\w.:-]+$/.test(id)) throw new BadRequestException('clientMessageId may contain only letters, digits and . _ : -');
  return id;
}

export class SendMessageDto implements SendMessageRequest {
  body?: string;
  clientMessageId: string;
  replyToId?: string;
  attachments?: AttachmentRef[];
  template?: TemplateRef;

  static parse(raw: unknown): SendMessageDto {
    const o = requireObject(raw);
    if (o.replyToId !== undefined && o.replyToId !== null && !isUuid(o.replyToId))
      throw new BadRequestException('replyToId must be a message id (UUID)');
    const attachments = o.attachments === undefined || o.attachments === null ? undefined : parseAttachments(o.attachments);
    const template = o.template === undefined || o.template === null ? undefined : parseTemplate(o.template);
    if (attachments && template) throw new BadRequestException('send either attachments or a template, not both');
    const body = attachments || template ? optionalString(o, 'body', { max: MAX_CAPTION }) : requiredString(o, 'body', { max: MAX_BODY });
    return Object.assign(new SendMessageDto(), {
      body,
      clientMessageId: clientMessageId(o),
      replyToId: (o.replyToId as string | null | undefined) ?? undefined,
      attachments,
      template,
    });
  }
}

/** WhatsApp's caption limit. */
const MAX_CAPTION = 1024;

function parseAttachments(raw: unknown): AttachmentRef[] {
  if (!Array.isArray(raw) || raw.length !== 1) {
    throw new BadRequestException('attachments must be an array with exactly one {uploadId}; send one message per file');
  }
  const a = requireObject(raw[0], 'attachments[0]');
  if (a.voice !== undefined && typeof a.voice !== 'boolean') throw new BadRequestException('attachments[0].voice must be a boolean');
  return [{ uploadId: requireUuid(a.uploadId, 'attachments[0].uploadId'), voice: a.voice === true }];
}

/** Meta's template object: a name, a language and text parameters per component. */
function parseTemplate(raw: unknown): TemplateRef {
  const t = requireObject(raw, 'template');
  const name = requiredString(t, 'name', { max: 512 });
  if (!/^[a-z0-9_]+$/.test(name)) throw new BadRequestException('template.name must be a template name (lower case, digits, _)');
  const language = requireObject(t.language, 'template.language');
  const code = requiredString(language, 'code', { max: 20 });
  const components: TemplateComponentRef[] = [];
  if (t.components !== undefined) {
    if (!Array.isArray(t.components)) throw new BadRequestException('template.components must be an array');
    t.components.forEach((c, i) => {
      const comp = requireObject(c, `template.components[${i}]`);
      const type = comp.type;
      if (type !== 'header' && type !== 'body' && type !== 'button')
        throw new BadRequestException(`template.components[${i}].type must be header, body or button`);
      if (!Array.isArray(comp.parameters)) throw new BadRequestException(`template.components[${i}].parameters must be an array`);
      const parameters = comp.parameters.map((p, j) => {
        const param = requireObject(p, `template.components[${i}].parameters[${j}]`);
        if (param.type !== 'text') throw new BadRequestException(`template.components[${i}].parameters[${j}].type must be text`);
        return { type: 'text' as const, text: requiredString(param, 'text', { max: 1024 }) };
      });
      components.push({
        type,
        ...(typeof comp.sub_type === 'string' ? { sub_type: comp.sub_type } : {}),
        ...(typeof comp.index === 'string' ? { index: comp.index } : {}),
        parameters,
      });
    });
  }
  return { name, language: { code }, components };
}

export class StartThreadDto implements StartThreadRequest {
  channelId: string;
  to: string;
  body?: string;
  template?: TemplateRef;
  clientMessageId: string;

  static parse(raw: unknown): StartThreadDto {
    const o = requireObject(raw);
    const template = o.template === undefined || o.template === null ? undefined : parseTemplate(o.template);
    return Object.assign(new StartThreadDto(), {
      channelId: requireUuid(o.channelId, 'channelId'),
      to: requiredString(o, 'to', { max: 40 }),
      body: template ? undefined : requiredString(o, 'body', { max: MAX_BODY }),
      template,
      clientMessageId: clientMessageId(o),
    });
  }
}

/** The one-line summary shown in the thread list. */
export function previewOf(m: Pick<Message, 'kind' | 'body' | 'media' | 'location' | 'deletedAt'>): string {
  if (m.deletedAt) return '🚫 This message was deleted';
  const body = m.body?.trim();
  const label: Partial<Record<Message['kind'], string>> = {
    image: '📷 Photo',
    video: '🎥 Video',
    voice: '🎤 Voice message',
    audio: '🎵 Audio',
    document: `📄 ${m.media?.fileName ?? 'Document'}`,
    sticker: 'Sticker',
    location: `📍 ${m.location?.name ?? 'Location'}`,
    contact: '👤 Contact',
    unsupported: 'Unsupported message',
  };
  const l = label[m.kind];
  if (l && body) return `${l}: ${body}`;
  return body || l || '';
}

export function toMessageView(m: Message): MessageView {
  return {
    id: m.id,
    threadId: m.threadId,
    direction: m.direction,
    origin: m.origin,
    kind: m.kind,
    body: m.deletedAt ? null : m.body,
    status: m.status,
    providerMessageId: m.providerMessageId,
    clientMessageId: m.clientMessageId,
    sentAt: iso(m.sentAt),
    createdAt: iso(m.createdAt)!,
    media:
      m.media && !m.deletedAt
        ? {
            mimeType: m.media.mimeType,
            fileName: m.media.fileName,
            size: m.media.size,
            durationSec: m.media.durationSec,
            // Served by MediaService from our store (fetched from the provider when it arrived,
            // or on first view if that failed).
            url: m.media.providerRef || m.media.stored ? `/api/comms/messages/${m.id}/media` : null,
            downloadError: m.media.downloadError ?? null,
          }
        : null,
    location: m.deletedAt ? null : m.location,
    replyToId: m.replyToId,
    reactions: m.reactions ?? [],
    task: null,
    deletedAt: iso(m.deletedAt),
    error: m.error,
    transcript: m.transcript,
  };
}
