import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { camelize } from '../common/rows';
import type { PersonIdentity } from '../providers/provider.types';
import type { Contact } from './contact.entity';

/**
 * The CRM side of identity: one contact per phone per tenant, with other identities (LIDs,
 * BSUIDs) kept as aliases so a later LID-only message still finds the person's phone.
 */
@Injectable()
export class ContactsService {
  /**
   * The contact for an identity, created when new. A LID-only sender whose LID is an alias of
   * a contact with a phone is that contact: the identity is upgraded to the phone.
   */
  async resolve(
    manager: EntityManager,
    tenantId: string,
    identity: PersonIdentity,
    name: string | null,
  ): Promise<{ contact: Contact; identity: PersonIdentity }> {
    if (identity.phone) {
      const rows: Record<string, unknown>[] = await manager.query(
        `INSERT INTO contacts (tenant_id, phone, name, aliases) VALUES ($1, $2, $3, $4::text[])
         ON CONFLICT (tenant_id, phone) WHERE phone IS NOT NULL DO UPDATE SET
           name = coalesce(contacts.name, EXCLUDED.name),
           aliases = ARRAY(SELECT DISTINCT unnest(contacts.aliases || EXCLUDED.aliases)),
           updated_at = CASE WHEN contacts.name IS NULL AND EXCLUDED.name IS NOT NULL
                               OR NOT contacts.aliases @> EXCLUDED.aliases THEN now() ELSE contacts.updated_at END
         RETURNING *`,
        [tenantId, identity.phone, name, identity.aliases],
      );
      return { contact: camelize<Contact>(rows[0]), identity };
    }
    // No phone: serialise on the alias so two concurrent first messages make one contact.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${tenantId}:${identity.address}`]);
    const found: Record<string, unknown>[] = await manager.query(
      `SELECT * FROM contacts WHERE tenant_id = $1 AND aliases @> ARRAY[$2]::text[] ORDER BY phone NULLS LAST LIMIT 1`,
      [tenantId, identity.address],
    );
    if (found[0]) {
      const contact = camelize<Contact>(found[0]);
      if (name && !contact.name) {
        await manager.query(`UPDATE contacts SET name = $2, updated_at = now() WHERE id = $1`, [contact.id, name]);
        contact.name = name;
      }
      const upgraded: PersonIdentity = contact.phone
        ? { ...identity, address: contact.phone, phone: contact.phone, aliases: [identity.address] }
        : identity;
      return { contact, identity: upgraded };
    }
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO contacts (tenant_id, phone, name, aliases) VALUES ($1, NULL, $2, ARRAY[$3]::text[]) RETURNING *`,
      [tenantId, name, identity.address],
    );
    return { contact: camelize<Contact>(rows[0]), identity };
  }
}
