import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type WebhookEventState = 'pending' | 'processed' | 'ignored' | 'failed';

/** A provider webhook exactly as received, stored before it is acknowledged. */
@Entity('webhook_events')
export class WebhookEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ type: 'text' }) provider: string;
  @Column({ type: 'uuid', name: 'channel_id', nullable: true }) channelId: string | null;
  @Column({ type: 'text', name: 'dedupe_key' }) dedupeKey: string;
  @Column({ type: 'text', name: 'event_type' }) eventType: string;
  @Column({ type: 'text', name: 'content_type', nullable: true }) contentType: string | null;
  @Column({ type: 'text', name: 'raw_body' }) rawBody: string;
  @Column({ type: 'text' }) state: WebhookEventState;
  /** Why it was ignored, or what it did ("message", "status", "group"...). */
  @Column({ type: 'text', nullable: true }) outcome: string | null;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'integer' }) attempts: number;
  @Column({ type: 'timestamptz', name: 'received_at' }) receivedAt: Date;
  @Column({ type: 'timestamptz', name: 'processed_at', nullable: true }) processedAt: Date | null;
}
