import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { ClientToServerEvents, HandshakeAuth, RealtimeEvent, ServerToClientEvents } from '@switchboard/contracts';
import type { Server, Socket } from 'socket.io';
import { isUuid } from '../common/validate';
import { TenantsService } from '../tenants/tenants.service';
import { RealtimeService } from './realtime.service';

type IoServer = Server<ClientToServerEvents, ServerToClientEvents>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export const tenantRoom = (id: string): string => `tenant:${id}`;
export const threadRoom = (id: string): string => `thread:${id}`;

/**
 * The one Socket.IO edge. Sockets join their tenant's room; a socket that reconnects with
 * `auth.lastSeq` first receives `sync` with everything it missed. Emission is local to this
 * node: every api node hears every committed event through PostgreSQL (RealtimeListener).
 */
@WebSocketGateway({ path: '/socket.io', serveClient: false, cors: { origin: true, credentials: true } })
export class RealtimeGateway implements OnGatewayConnection {
  private readonly logger = new Logger(RealtimeGateway.name);
  @WebSocketServer() private readonly server: IoServer;

  constructor(
    private readonly tenants: TenantsService,
    private readonly realtime: RealtimeService,
  ) {}

  async handleConnection(client: IoSocket): Promise<void> {
    try {
      const tenant = await this.tenants.getDefault();
      client.data.tenantId = tenant.id;
      // Join before reading the backlog: an event committed in between is then both in the
      // sync and emitted live, and clients apply events idempotently, so nothing falls between.
      await client.join(tenantRoom(tenant.id));
      const auth = (client.handshake.auth ?? {}) as HandshakeAuth;
      const lastSeq = Number(auth.lastSeq);
      if (auth.lastSeq !== undefined && auth.lastSeq !== null && Number.isFinite(lastSeq) && lastSeq >= 0) {
        client.emit('sync', await this.realtime.since(tenant.id, lastSeq));
      }
    } catch (err) {
      this.logger.warn(`connection refused: ${(err as Error).message}`);
      client.disconnect(true);
    }
  }

  @SubscribeMessage('thread:join')
  async joinThread(@ConnectedSocket() client: IoSocket, @MessageBody() threadId: unknown): Promise<void> {
    if (isUuid(threadId)) await client.join(threadRoom(threadId));
  }

  @SubscribeMessage('thread:leave')
  async leaveThread(@ConnectedSocket() client: IoSocket, @MessageBody() threadId: unknown): Promise<void> {
    if (isUuid(threadId)) await client.leave(threadRoom(threadId));
  }

  /** Called by the listener for every committed event; decides who hears it. */
  deliver(tenantId: string, event: RealtimeEvent): void {
    if (!this.server) return;
    // Everything in issue 2 concerns the whole tenant's inbox (list moves, badges, ticks).
    // Per-agent visibility rules arrive with roles (issue 5) and will narrow this here.
    (this.server.local.to(tenantRoom(tenantId)).emit as (ev: string, data: unknown) => boolean)(socketEventName(event), event.data);
  }

  connectedCount(): number {
    return this.server?.engine?.clientsCount ?? 0;
  }
}

/** History-import progress travels on the `sync` event (told apart by `kind: 'history'`). */
function socketEventName(event: RealtimeEvent): string {
  return event.type === 'history_sync' ? 'sync' : event.type;
}
