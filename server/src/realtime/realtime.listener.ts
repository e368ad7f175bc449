import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RealtimeEvent } from '@switchboard/contracts';
import { Client, type Notification as PgNotification } from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { RealtimeGateway } from './realtime.gateway';
import { REALTIME_CHANNEL, RealtimeService, type Notification } from './realtime.service';

/**
 * LISTENs for committed realtime events and hands them to the gateway. A dedicated connection
 * (not from the pool) that reconnects by itself; after a reconnect it replays what was appended
 * while it was away, so PostgreSQL restarts do not silence the inbox.
 */
@Injectable()
export class RealtimeListener implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeListener.name);
  private client: Client | null = null;
  private stopped = false;
  private lastSeq = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private listenedBefore = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly realtime: RealtimeService,
    private readonly gateway: RealtimeGateway,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.lastSeq = await this.realtime.latestSeq();
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.config.databaseUrl!, connectionTimeoutMillis: 3000 });
    // Only the current connection may act: a replaced one can still emit a late error or end.
    this.client = client;
    client.on('notification', (msg) => {
      if (client === this.client) void this.onNotification(msg);
    });
    client.on('error', (err) => this.scheduleReconnect(client, err));
    client.on('end', () => this.scheduleReconnect(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${REALTIME_CHANNEL}`);
      if (this.listenedBefore) await this.replayMissed(client);
      this.listenedBefore = true;
    } catch (err) {
      this.scheduleReconnect(client, err as Error);
    }
  }

  private scheduleReconnect(client: Client, err: Error | null): void {
    if (this.stopped || client !== this.client || this.retryTimer) return;
    if (err) this.logger.warn(`realtime listener lost PostgreSQL: ${err.message}; reconnecting`);
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, 1000);
  }

  private async replayMissed(client: Client): Promise<void> {
    const rows: { seq: string }[] = await client
      .query(`SELECT seq FROM realtime_events WHERE seq > $1 ORDER BY seq LIMIT 5000`, [this.lastSeq])
      .then((r) => r.rows);
    for (const r of rows) await this.emitStored(Number(r.seq));
  }

  private async onNotification(msg: PgNotification): Promise<void> {
    if (msg.channel !== REALTIME_CHANNEL || !msg.payload) return;
    let n: Notification;
    try {
      n = JSON.parse(msg.payload) as Notification;
    } catch {
      return;
    }
    this.lastSeq = Math.max(this.lastSeq, n.seq);
    if (n.big || !n.type || !n.data) {
      await this.emitStored(n.seq);
      return;
    }
    this.gateway.deliver(n.tenantId, { type: n.type, data: { ...n.data, seq: n.seq } } as RealtimeEvent);
  }

  private async emitStored(seq: number): Promise<void> {
    const ev = await this.realtime.load(seq).catch(() => null);
    if (!ev) return;
    this.lastSeq = Math.max(this.lastSeq, seq);
    const { tenantId, ...event } = ev;
    this.gateway.deliver(tenantId, event as RealtimeEvent);
  }
}
