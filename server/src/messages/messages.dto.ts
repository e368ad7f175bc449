import { BadRequestException } from '@nestjs/common';
import type { MessageView, SendMessageRequest, StartThreadRequest, TemplateRef } from '@switchboard/contracts';
import { iso } from '../common/rows';
import { isUuid, requireObject, requiredString, requireUuid } from '../common/validate';
import type { Message } from './message.entity';

/** WhatsApp's limit for a text body (Meta: 4096 characters). */
export const MAX_BODY = 4096;

function clientMessageId(o: Record<string, unknown>): string {
  const id = requiredString(o, 'clientMessageId', { max: 100 });
  if (!/^[\w.:-]+$/.test(id)) throw new BadRequestException('clientMessageId may contain only letters, digits and . _ : -');
  return id;
}

export class SendMessageDto implements SendMessageRequest {
  body: string;
  clientMessageId: string;
  replyToId?: string;
  template?: TemplateRef;

  static parse(raw: unknown): SendMessageDto {
    const o = requireObject(raw);
    if (o.template !== undefined) throw new BadRequestException('templates are not supported by this channel yet');
    if (o.attachments !== undefined) throw new BadRequestException('attachments are not supported yet');
    if (o.replyToId !== undefined && o.replyToId !== null && !isUuid(o.replyToId))
      throw new BadRequestException('replyToId must be a message id (UUID)');
    return Object.assign(new SendMessageDto(), {
      body: requiredString(o, 'body', { max: MAX_BODY }),
      clientMessageId: clientMessageId(o),
      replyToId: (o.replyToId as string | null | undefined) ?? undefined,
    });
  }
}

export class StartThreadDto implements StartThreadRequest {
  channelId: string;
  to: string;
  body: string;
  clientMessageId: string;

  static parse(raw: unknown): StartThreadDto {
    const o = requireObject(raw);
    return Object.assign(new StartThreadDto(), {
      channelId: requireUuid(o.channelId, 'channelId'),
      to: requiredString(o, 'to', { max: 40 }),
      body: requiredString(o, 'body', { max: MAX_BODY }),
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
            // Served by MediaService, which fetches from the provider on first view.
            url: m.media.providerRef ? `/api/comms/messages/${m.id}/media` : null,
          }
        : null,
    location: m.deletedAt ? null : m.location,
    replyToId: m.replyToId,
    reactions: m.reactions ?? [],
    deletedAt: iso(m.deletedAt),
    error: m.error,
    transcript: m.transcript,
  };
}
