import { type OutboundText, type WebhookRequest } from '../provider.types';
import type { MockNetwork } from './mock-network';
import { MockProvider, type MockWebhook } from './mock.provider';
import { rejection } from '../../../test/support/rejection';

function request(body: unknown): WebhookRequest {
  return {
    headers: { 'content-type': 'application/json' },
    rawBody: Buffer.from(JSON.stringify(body) ?? ''),
    body,
    subPath: '',
    publicUrl: '',
  };
}

function message(over: Partial<MockWebhook> = {}): MockWebhook {
  return { event: 'message', id: 'm1', from: '+5511987650001', name: 'Ana Souza', text: 'Oi!', timestamp: 1763647392, ...over };
}

function status(over: Partial<MockWebhook> = {}): MockWebhook {
  return { event: 'status', id: 'mock-1', status: 'delivered', ...over };
}

describe(MockProvider.name, () => {
  let acknowledged: string[];
  let sut: MockProvider;

  beforeEach(() => {
    acknowledged = [];
    // Collaborator stub: the real MockNetwork needs Bull; the adapter only calls acknowledge().
    const network = { acknowledge: async (id: string): Promise<void> => void acknowledged.push(id) };
    sut = new MockProvider(network as unknown as MockNetwork);
  });

  describe('describeWebhook', () => {
    it.each([
      ['null', 'JSON object', null],
      ['a body without event', '"event"', { id: 'm1' }],
      ['a body without id', '"id"', { event: 'message', from: '+5511987650001', text: 'x' }],
      ['a body with an empty id', '"id"', message({ id: '' })],
      ['a message without from', '"from"', message({ from: undefined })],
      ['a message without text', '"text"', message({ text: undefined })],
      ['a status without status', '"status"', status({ status: undefined })],
      ['a status with an unknown status', '"status"', { ...status(), status: 'seen' }],
    ])('should reject %s with 400 naming %s', (_case, field, body) => {
      const err = rejection(() => sut.describeWebhook(request(body)));
      expect(err.statusCode).toBe(400);
      expect(err.message).toContain(field);
    });

    it('should key a message by its id', () => {
      expect(sut.describeWebhook(request(message()))).toEqual({ routingKey: null, dedupeKey: 'mock:msg:m1', eventType: 'message' });
    });

    it('should key a status by message id and status', () => {
      expect(sut.describeWebhook(request(status()))).toEqual({
        routingKey: null,
        dedupeKey: 'mock:status:mock-1:delivered',
        eventType: 'status',
      });
    });

    it('should give each status of one message its own key', () => {
      const delivered = sut.describeWebhook(request(status({ status: 'delivered' })));
      const read = sut.describeWebhook(request(status({ status: 'read' })));
      expect(read.dedupeKey).not.toBe(delivered.dedupeKey);
    });

    it('should not confuse a message with a status of the same id', () => {
      const msg = sut.describeWebhook(request(message({ id: 'x1' })));
      const st = sut.describeWebhook(request(status({ id: 'x1' })));
      expect(st.dedupeKey).not.toBe(msg.dedupeKey);
    });
  });

  describe('parseWebhook', () => {
    it('should turn a message into an inbound text from an E.164 contact', () => {
      expect(sut.parseWebhook(message())).toEqual([
        {
          type: 'message',
          message: {
            providerMessageId: 'm1',
            fromMe: false,
            identity: { kind: 'person', address: '+5511987650001', phone: '+5511987650001', raw: '+5511987650001', aliases: [] },
            profileName: 'Ana Souza',
            kind: 'text',
            body: 'Oi!',
            sentAt: new Date('2025-11-20T14:03:12.000Z'),
            media: null,
            location: null,
            replyToProviderId: null,
            inlineMedia: null,
            status: null,
          },
        },
      ]);
    });

    it('should read a fromMe message as ours, already sent and without a profile name', () => {
      const [event] = sut.parseWebhook(message({ fromMe: true }));
      expect(event).toMatchObject({ type: 'message', message: { fromMe: true, status: 'sent', profileName: null } });
    });

    it('should turn a status into a status event', () => {
      expect(sut.parseWebhook(status({ status: 'read' }))).toEqual([
        { type: 'status', providerMessageId: 'mock-1', status: 'read', error: null },
      ]);
    });

    it('should ignore a message whose from is not a phone number', () => {
      expect(sut.parseWebhook(message({ from: 'hello' }))).toEqual([{ type: 'ignored', reason: 'invalid' }]);
    });

    it('should ignore an unknown event', () => {
      expect(sut.parseWebhook({ event: 'typing', id: 'm1' })).toEqual([{ type: 'ignored', reason: 'unhandled_event:typing' }]);
    });
  });

  describe('sendText', () => {
    const msg: OutboundText = { to: '+5511987650001', address: '+5511987650001', text: 'Oi!', replyTo: null };

    it('should return a mock provider message id', async () => {
      await expect(sut.sendText(undefined, msg)).resolves.toEqual({ providerMessageId: expect.stringMatching(/^mock-/) });
    });

    it('should hand the sent id to the pretend network for delivery and read', async () => {
      const { providerMessageId } = await sut.sendText(undefined, msg);
      expect(acknowledged).toEqual([providerMessageId]);
    });
  });
});
