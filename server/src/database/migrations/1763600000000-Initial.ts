import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first schema: tenants, channels, contacts, threads, messages, webhook_events,
 * realtime_events, settings. The unique keys carry the product's promises:
 * - webhook_events.dedupe_key: a redelivered webhook is stored once and processed once;
 * - messages (channel_id, provider_message_id): a message (or our own echo) exists once;
 * - messages (tenant_id, client_message_id): a double-clicked or retried send is one message;
 * - threads (channel_id, address): one conversation per person per channel;
 * - contacts (tenant_id, phone): one person per phone number in a tenant.
 */
export class Initial1763600000000 implements MigrationInterface {
  name = 'Initial1763600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        slug text NOT NULL UNIQUE,
        default_country char(2) NOT NULL DEFAULT 'BR',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        provider text NOT NULL,
        name text NOT NULL,
        routing_key text,
        address text,
        config jsonb NOT NULL DEFAULT '{}',
        secrets text,
        state text NOT NULL DEFAULT 'unknown',
        needs_reauth boolean NOT NULL DEFAULT false,
        qr text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Webhooks find their channel by (provider, routing key): Evolution instance, WAHA session...
    await q.query(`CREATE UNIQUE INDEX channels_provider_routing_key ON channels (provider, routing_key) WHERE routing_key IS NOT NULL`);
    await q.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        phone text,
        name text,
        aliases text[] NOT NULL DEFAULT '{}',
        attributes jsonb NOT NULL DEFAULT '{}',
        opted_out boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX contacts_tenant_phone ON contacts (tenant_id, phone) WHERE phone IS NOT NULL`);
    await q.query(`CREATE INDEX contacts_aliases ON contacts USING gin (aliases)`);
    await q.query(`
      CREATE TABLE threads (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        contact_id uuid REFERENCES contacts(id) ON DELETE SET NULL,
        address text NOT NULL,
        raw_address text NOT NULL,
        display_name text,
        status text NOT NULL DEFAULT 'open',
        snoozed_until timestamptz,
        starred boolean NOT NULL DEFAULT false,
        unread_count integer NOT NULL DEFAULT 0,
        last_message_at timestamptz NOT NULL DEFAULT now(),
        last_message_preview text,
        last_inbound_at timestamptz,
        assignee_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT threads_channel_address UNIQUE (channel_id, address)
      )`);
    // The inbox list: newest activity first, id as the tie-breaker of the cursor.
    await q.query(`CREATE INDEX threads_list ON threads (tenant_id, last_message_at DESC, id DESC)`);
    await q.query(`CREATE INDEX threads_contact ON threads (contact_id)`);
    await q.query(`CREATE INDEX threads_search ON threads USING gin ((coalesce(display_name,'') || ' ' || address) gin_trgm_ops)`);
    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        thread_id uuid NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
        direction text NOT NULL,
        origin text NOT NULL,
        kind text NOT NULL,
        body text,
        status text NOT NULL,
        provider_message_id text,
        client_message_id text,
        sent_at timestamptz,
        ordered_at timestamptz NOT NULL,
        media jsonb,
        location jsonb,
        reply_to_id uuid REFERENCES messages(id) ON DELETE SET NULL,
        reply_to_provider_id text,
        reactions jsonb NOT NULL DEFAULT '[]',
        deleted_at timestamptz,
        error jsonb,
        transcript text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_channel_provider_id UNIQUE (channel_id, provider_message_id),
        CONSTRAINT messages_tenant_client_id UNIQUE (tenant_id, client_message_id)
      )`);
    // A conversation reads in the customer's order (provider timestamps), not arrival order.
    await q.query(`CREATE INDEX messages_thread_order ON messages (thread_id, ordered_at DESC, id DESC)`);
    await q.query(`CREATE INDEX messages_body_search ON messages USING gin (body gin_trgm_ops)`);
    // Replies that arrived before the message they quote, waiting for it.
    await q.query(
      `CREATE INDEX messages_unresolved_replies ON messages (channel_id, reply_to_provider_id) WHERE reply_to_id IS NULL AND reply_to_provider_id IS NOT NULL`,
    );
    // Outbound messages still pending, for the send ordering guard and the echo matcher.
    await q.query(`CREATE INDEX messages_pending_outbound ON messages (thread_id, created_at) WHERE status = 'pending'`);
    await q.query(`
      CREATE TABLE webhook_events (
        id bigserial PRIMARY KEY,
        provider text NOT NULL,
        channel_id uuid REFERENCES channels(id) ON DELETE SET NULL,
        dedupe_key text NOT NULL,
        event_type text NOT NULL,
        content_type text,
        raw_body text NOT NULL,
        state text NOT NULL DEFAULT 'pending',
        outcome text,
        error text,
        attempts integer NOT NULL DEFAULT 0,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT webhook_events_dedupe UNIQUE (dedupe_key)
      )`);
    await q.query(`CREATE INDEX webhook_events_pending ON webhook_events (received_at) WHERE state = 'pending'`);
    await q.query(`
      CREATE TABLE realtime_events (
        seq bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL,
        thread_id uuid,
        type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX realtime_events_tenant_seq ON realtime_events (tenant_id, seq)`);
    await q.query(`
      CREATE TABLE settings (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        key text NOT NULL,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['settings', 'realtime_events', 'webhook_events', 'messages', 'threads', 'contacts', 'channels', 'tenants']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
