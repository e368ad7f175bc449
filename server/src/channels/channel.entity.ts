import type { ChannelState, ProviderKind } from '@switchboard/contracts';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('channels')
export class Channel {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'uuid', name: 'tenant_id' }) tenantId: string;
  @Column({ type: 'text' }) provider: ProviderKind;
  @Column({ type: 'text' }) name: string;
  /** The config value that routes webhooks here (Evolution instance), unique per provider. */
  @Column({ type: 'text', name: 'routing_key', nullable: true }) routingKey: string | null;
  @Column({ type: 'text', nullable: true }) address: string | null;
  @Column({ type: 'jsonb' }) config: Record<string, string>;
  /** AES-GCM encrypted JSON of the secret fields (see secrets-cipher.ts). Never leaves the server. */
  @Column({ type: 'text', nullable: true }) secrets: string | null;
  @Column({ type: 'text' }) state: ChannelState;
  @Column({ type: 'boolean', name: 'needs_reauth' }) needsReauth: boolean;
  @Column({ type: 'text', nullable: true }) qr: string | null;
  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' }) createdAt: Date;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}
