import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { MessageStatus } from '@switchboard/contracts';
import { normalizeTypedPhone } from '../../contacts/identity';
import type {
  ConnectionCheck,
  NeutralEvent,
  OutboundMedia,
  OutboundText,
  Provider,
  SendResult,
  WebhookEnvelope,
  WebhookRequest,
} from '../provider.types';
import { WebhookRejection } from '../provider.types';
import { MockNetwork } from './mock-network';

/**
 * The mock provider's webhook format (documented in README "Mock provider"):
 *   {"event":"message","id":"m1","from":"+5511987650001","name":"Ana","text":"hi","timestamp":1763647392}
 *   {"event":"status","id":"<providerMessageId>","status":"delivered"}
 */
export interface MockWebhook {
  event: 'message' | 'status';
  id: string;
  from?: string;
  name?: string;
  text?: string;
  timestamp?: number;
  fromMe?: boolean;
  status?: MessageStatus;
}

const STATUSES: MessageStatus[] = ['pending', 'sent', 'delivered', 'read', 'played', 'failed'];

/**
 * A provider with no network: sends always succeed; MockNetwork then delivers and reads them
 * through the real webhook path, so a newcomer sees the whole flow with no credentials.
 */
@Injectable()
export class MockProvider implements Provider {
  readonly kind = 'mock' as const;

  constructor(private readonly network: MockNetwork) {}

  verifyWebhook(): void {
    // The mock has no secret; the demo channel accepts anything well-formed.
  }

  describeWebhook(req: WebhookRequest): WebhookEnvelope {
    const b = req.body as Partial<MockWebhook> | null;
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw new WebhookRejection(400, 'mock webhook must be a JSON object');
    if (typeof b.event !== 'string') throw new WebhookRejection(400, 'mock webhook is missing "event"');
    if (typeof b.id !== 'string' || b.id === '') throw new WebhookRejection(400, 'mock webhook is missing "id"');
    if (b.event === 'message' && (typeof b.from !== 'string' || typeof b.text !== 'string')) {
      throw new WebhookRejection(400, 'mock message webhook needs string fields "from" and "text"');
    }
    if (b.event === 'status' && !STATUSES.includes(b.status as MessageStatus)) {
      throw new WebhookRejection(400, `mock status webhook needs "status" in ${STATUSES.join(', ')}`);
    }
    const key = b.event === 'status' ? `status:${b.id}:${b.status}` : `msg:${b.id}`;
    return { routingKey: null, dedupeKey: `mock:${key}`, eventType: b.event };
  }

  parseWebhook(raw: unknown): NeutralEvent[] {
    const b = raw as MockWebhook;
    if (b.event === 'status') return [{ type: 'status', providerMessageId: b.id, status: b.status!, error: null }];
    if (b.event !== 'message') return [{ type: 'ignored', reason: `unhandled_event:${String(b.event)}` }];
    const phone = normalizeTypedPhone(b.from!, 'US');
    if (!phone) return [{ type: 'ignored', reason: 'invalid' }];
    return [
      {
        type: 'message',
        message: {
          providerMessageId: b.id,
          fromMe: b.fromMe === true,
          identity: { kind: 'person', address: phone, phone, raw: phone, aliases: [] },
          profileName: b.fromMe ? null : (b.name ?? null),
          kind: 'text',
          body: b.text!,
          sentAt: b.timestamp ? new Date(b.timestamp * 1000) : new Date(),
          media: null,
          location: null,
          replyToProviderId: null,
          inlineMedia: null,
          status: b.fromMe ? 'sent' : null,
        },
      },
    ];
  }

  rawAddressForPhone(e164: string): string {
    return e164;
  }

  async sendText(_channel: unknown, _msg: OutboundText): Promise<SendResult> {
    const providerMessageId = `mock-${randomUUID()}`;
    await this.network.acknowledge(providerMessageId);
    return { providerMessageId };
  }

  /** The mock carries files like text: accepted, then delivered and read on the mock's clock. */
  async sendMedia(channel: unknown, msg: OutboundMedia): Promise<SendResult> {
    return this.sendText(channel, { ...msg, text: msg.caption ?? '' });
  }

  async testConnection(): Promise<ConnectionCheck[]> {
    return [{ name: 'connection', ok: true, detail: 'the mock provider is always connected' }];
  }
}
