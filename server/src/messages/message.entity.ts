import type {
  TemplateRef,
  LocationView,
  MessageDirection,
  MessageErrorView,
  MessageKind,
  MessageOrigin,
  MessageStatus,
  ReactionView,
} from '@switchboard/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export interface StoredMedia {
  mimeType: string | null;
  fileName: string | null;
  size: number | null;
  durationSec: number | null;
  /** Where the provider keeps the bytes (opaque to everything but the adapter). */
  providerRef: string | null;
  /** The bytes are in our media store already (an agent's upload): nothing to fetch. */
  stored?: boolean;
  /** Why fetching the bytes from the provider failed, after every retry (shown on the bubble). */
  downloadError?: string | null;
}

@Entity('messages')
export class Message {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid', name: 'tenant_id' }) tenantId: string;
  @Column({ type: 'uuid', name: 'thread_id' }) threadId: string;
  @Column({ type: 'uuid', name: 'channel_id' }) channelId: string;
  @Column({ type: 'text' }) direction: MessageDirection;
  @Column({ type: 'text' }) origin: MessageOrigin;
  @Column({ type: 'text' }) kind: MessageKind;
  @Column({ type: 'text', nullable: true }) body: string | null;
  @Column({ type: 'text' }) status: MessageStatus;
  @Column({ type: 'text', name: 'provider_message_id', nullable: true }) providerMessageId: string | null;
  @Column({ type: 'text', name: 'client_message_id', nullable: true }) clientMessageId: string | null;
  @Column({ type: 'timestamptz', name: 'sent_at', nullable: true }) sentAt: Date | null;
  /** Sort key: the provider's timestamp for inbound, creation time for what we send. */
  @Column({ type: 'timestamptz', name: 'ordered_at' }) orderedAt: Date;
  @Column({ type: 'jsonb', nullable: true }) media: StoredMedia | null;
  @Column({ type: 'jsonb', nullable: true }) location: LocationView | null;
  @Column({ type: 'uuid', name: 'reply_to_id', nullable: true }) replyToId: string | null;
  @Column({ type: 'text', name: 'reply_to_provider_id', nullable: true }) replyToProviderId: string | null;
  @Column({ type: 'jsonb' }) reactions: ReactionView[];
  @Column({ type: 'timestamptz', name: 'deleted_at', nullable: true }) deletedAt: Date | null;
  @Column({ type: 'jsonb', nullable: true }) error: MessageErrorView | null;
  @Column({ type: 'text', nullable: true }) transcript: string | null;
  /** The approved template an outbound `template` message is sent with. */
  @Column({ type: 'jsonb', nullable: true }) template: TemplateRef | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}
