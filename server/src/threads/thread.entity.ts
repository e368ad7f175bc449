import type { ThreadStatus } from '@switchboard/contracts';
import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Channel } from '../channels/channel.entity';
import { Contact } from '../contacts/contact.entity';

@Entity('threads')
export class Thread {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid', name: 'tenant_id' }) tenantId: string;
  @Column({ type: 'uuid', name: 'channel_id' }) channelId: string;
  @ManyToOne(() => Channel, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id' })
  channel?: Channel;
  @Column({ type: 'uuid', name: 'contact_id', nullable: true }) contactId: string | null;
  @ManyToOne(() => Contact, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'contact_id' })
  contact?: Contact | null;
  /** Canonical: E.164, or lid:<digits> / bsuid:<id>. */
  @Column({ type: 'text' }) address: string;
  /** What the provider calls this person (a JID); replies go here. */
  @Column({ type: 'text', name: 'raw_address' }) rawAddress: string;
  @Column({ type: 'text', name: 'display_name', nullable: true }) displayName: string | null;
  @Column({ type: 'text' }) status: ThreadStatus;
  @Column({ type: 'timestamptz', name: 'snoozed_until', nullable: true }) snoozedUntil: Date | null;
  @Column({ type: 'boolean' }) starred: boolean;
  @Column({ type: 'integer', name: 'unread_count' }) unreadCount: number;
  @Column({ type: 'timestamptz', name: 'last_message_at' }) lastMessageAt: Date;
  @Column({ type: 'text', name: 'last_message_preview', nullable: true }) lastMessagePreview: string | null;
  @Column({ type: 'timestamptz', name: 'last_inbound_at', nullable: true }) lastInboundAt: Date | null;
  @Column({ type: 'uuid', name: 'assignee_id', nullable: true }) assigneeId: string | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}
