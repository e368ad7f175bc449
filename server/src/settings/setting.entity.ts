import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Tenant settings as key/value (the original hand-off's comms_settings). */
@Entity('settings')
export class Setting {
  @PrimaryColumn({ type: 'uuid', name: 'tenant_id' }) tenantId: string;
  @PrimaryColumn({ type: 'text' }) key: string;
  @Column({ type: 'jsonb' }) value: unknown;
  @UpdateDateColumn({ type: 'timestamptz', name: 'updated_at' }) updatedAt: Date;
}
