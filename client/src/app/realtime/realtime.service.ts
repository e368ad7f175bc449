import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import type { ClientToServerEvents, HandshakeAuth, RealtimeEvent, ServerToClientEvents, SyncEvent } from '@switchboard/contracts';
import { io, type Socket } from 'socket.io-client';

/** What the connection banner shows. */
export type BannerState = 'hidden' | 'lost' | 'back';

export interface RealtimeSink {
  /** Apply one event (live or from a sync). Must be idempotent. */
  apply(event: RealtimeEvent): void;
  /** Refetch everything that is on screen: the gap could not be replayed. */
  resync(): Promise<void>;
  /** Called after every reconnect once the client has caught up (sync applied or resynced). */
  caughtUp?(): void;
}

/** How long to wait for the `sync` that follows a connect carrying `lastSeq` before giving up on it. */
const APPLIED_MEMORY = 5000;
const SYNC_TIMEOUT_MS = 6000;
/** How long the green "caught up" banner stays. */
const BACK_BANNER_MS = 3000;
/** Before the very first connect succeeds, stay quiet this long before showing a banner. */
const FIRST_CONNECT_GRACE_MS = 6000;

/**
 * The Socket.IO connection. Tracks the highest applied `seq`, sends it on every (re)connect
 * (`auth` is a function, so each attempt reads the latest value), replays the `sync` that follows,
 * and drives the connection banner. Events are handed to a single sink (the inbox store).
 */
@Injectable({ providedIn: 'root' })
export class RealtimeService {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | null = null;
  private sink: RealtimeSink | null = null;

  /** Seqs applied recently, to drop the overlap between a sync and live events. */
  private readonly applied = new Set<number>();
  /** Highest seq applied (or known to be reflected in fetched data). */
  private lastSeq: number | null = null;
  private everConnected = false;
  /** True between a connect that sent `lastSeq` and the `sync` answering it: live events wait. */
  private awaitingSync = false;
  private sentSeqOnConnect = false;
  /** Whether the connect being synced is a reconnect (drives the green banner). */
  private reconnecting = false;
  private buffered: RealtimeEvent[] = [];
  private syncTimer: ReturnType<typeof setTimeout> | null = null;
  private bannerTimer: ReturnType<typeof setTimeout> | null = null;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private activeThreadId: string | null = null;

  private readonly connectedSignal = signal(false);
  private readonly bannerSignal = signal<BannerState>('hidden');
  /** Whether the socket is currently connected. */
  readonly connected = this.connectedSignal.asReadonly();
  readonly banner = this.bannerSignal.asReadonly();

  constructor() {
    inject(DestroyRef).onDestroy(() => this.disconnect());
  }

  /** Remember the seq a fetched snapshot reflects, unless we already track one. */
  seedSeq(seq: number | null): void {
    if (seq == null || !Number.isFinite(seq)) return;
    if (this.lastSeq == null) this.lastSeq = seq;
  }

  connect(sink: RealtimeSink): void {
    if (this.socket) return;
    this.sink = sink;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      path: '/socket.io',
      transports: ['websocket'],
      reconnectionDelay: 800,
      reconnectionDelayMax: 5000,
      auth: (cb: (data: HandshakeAuth) => void) => {
        this.sentSeqOnConnect = this.lastSeq != null;
        cb(this.lastSeq != null ? { lastSeq: this.lastSeq } : {});
      },
    });
    this.socket = socket;

    socket.on('connect', () => this.onConnect());
    socket.on('disconnect', (reason) => this.onDisconnect(reason));
    socket.on('connect_error', () => this.onConnectError());
    socket.on('sync', (e) => {
      if ('kind' in e) this.onLive({ type: 'history_sync', data: e });
      else void this.onSync(e);
    });
    socket.on('new_message', (data) => this.onLive({ type: 'new_message', data }));
    socket.on('status_update', (data) => this.onLive({ type: 'status_update', data }));
    socket.on('message_updated', (data) => this.onLive({ type: 'message_updated', data }));
    socket.on('thread_updated', (data) => this.onLive({ type: 'thread_updated', data }));
    socket.on('channel_updated', (data) => this.onLive({ type: 'channel_updated', data }));
    this.graceTimer = setTimeout(() => {
      if (!this.everConnected) this.bannerSignal.set('lost');
    }, FIRST_CONNECT_GRACE_MS);
  }

  disconnect(): void {
    this.clearTimers();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
  }

  /** Join the open thread's room (optional on this server; kept across reconnects). */
  setActiveThread(threadId: string | null): void {
    if (threadId === this.activeThreadId) return;
    const previous = this.activeThreadId;
    this.activeThreadId = threadId;
    if (!this.socket?.connected) return;
    if (previous) this.socket.emit('thread:leave', previous);
    if (threadId) this.socket.emit('thread:join', threadId);
  }

  private onConnect(): void {
    const isReconnect = this.everConnected || this.bannerSignal() === 'lost';
    this.everConnected = true;
    this.connectedSignal.set(true);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    if (this.activeThreadId) this.socket?.emit('thread:join', this.activeThreadId);

    if (this.sentSeqOnConnect) {
      // The server answers with a `sync`; hold live events until it is applied so seq order holds.
      this.awaitingSync = true;
      this.buffered = [];
      if (this.syncTimer) clearTimeout(this.syncTimer);
      this.syncTimer = setTimeout(() => void this.onSyncTimeout(isReconnect), SYNC_TIMEOUT_MS);
      this.reconnecting = isReconnect;
    } else if (isReconnect) {
      // No seq to resume from: refetch what is on screen.
      void this.finishCatchUp(true);
    }
  }

  private onDisconnect(reason: Socket.DisconnectReason): void {
    this.connectedSignal.set(false);
    // Events held for a sync that never came are dropped, not applied: lastSeq must not skip the
    // gap before them. The next connect's sync replays them in order.
    this.awaitingSync = false;
    this.buffered = [];
    this.reconnecting = false;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    if (this.bannerTimer) clearTimeout(this.bannerTimer);
    if (reason === 'io client disconnect') return;
    this.bannerSignal.set('lost');
    // A server-side disconnect is not retried automatically by socket.io.
    if (reason === 'io server disconnect') setTimeout(() => this.socket?.connect(), 1000);
  }

  private onConnectError(): void {
    this.connectedSignal.set(false);
  }

  private onLive(event: RealtimeEvent): void {
    if (this.awaitingSync) {
      this.buffered.push(event);
      return;
    }
    this.applyOne(event);
  }

  private async onSync(e: SyncEvent): Promise<void> {
    const wasReconnect = this.reconnecting;
    this.awaitingSync = false;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (e.reset) {
      this.lastSeq = e.lastSeq;
      this.buffered = [];
      await this.runResync();
    } else {
      for (const event of e.events ?? []) this.applyOne(event);
      this.flushBuffered();
      if (Number.isFinite(e.lastSeq) && (this.lastSeq == null || e.lastSeq > this.lastSeq)) this.lastSeq = e.lastSeq;
    }
    this.flushBuffered();
    if (wasReconnect) this.showBack();
    this.reconnecting = false;
  }

  /** No `sync` came: apply what arrived live and refetch, since a gap cannot be ruled out. */
  private async onSyncTimeout(isReconnect: boolean): Promise<void> {
    if (!this.awaitingSync) return;
    this.awaitingSync = false;
    this.reconnecting = false;
    this.flushBuffered();
    await this.runResync();
    if (isReconnect) this.showBack();
  }

  private async finishCatchUp(resync: boolean): Promise<void> {
    if (resync) await this.runResync();
    this.showBack();
  }

  private async runResync(): Promise<void> {
    try {
      await this.sink?.resync();
    } catch (err) {
      console.error('resync failed', err);
    }
  }

  private showBack(): void {
    this.sink?.caughtUp?.();
    if (this.bannerSignal() === 'hidden' || !this.connectedSignal()) return;
    this.bannerSignal.set('back');
    if (this.bannerTimer) clearTimeout(this.bannerTimer);
    this.bannerTimer = setTimeout(() => {
      if (this.bannerSignal() === 'back') this.bannerSignal.set('hidden');
    }, BACK_BANNER_MS);
  }

  private flushBuffered(): void {
    const pending = this.buffered;
    this.buffered = [];
    for (const event of pending) this.applyOne(event);
  }

  /**
   * Applies an event once. Deduplication is by seq *identity*, not by `seq <= lastSeq`: seqs are
   * assigned when a transaction inserts its event but published when it commits, so under load a
   * lower seq can legitimately arrive after a higher one and must still be applied.
   */
  private applyOne(event: RealtimeEvent): void {
    const seq = (event.data as { seq?: number }).seq;
    if (typeof seq === 'number') {
      if (this.applied.has(seq)) return;
      this.applied.add(seq);
      if (this.applied.size > APPLIED_MEMORY) {
        for (const old of this.applied) {
          this.applied.delete(old);
          if (this.applied.size <= APPLIED_MEMORY / 2) break;
        }
      }
    }
    try {
      this.sink?.apply(event);
    } catch (err) {
      console.error('failed to apply realtime event', event, err);
    }
    if (typeof seq === 'number' && (this.lastSeq == null || seq > this.lastSeq)) this.lastSeq = seq;
  }

  private clearTimers(): void {
    for (const t of [this.syncTimer, this.bannerTimer, this.graceTimer]) if (t) clearTimeout(t);
    this.syncTimer = this.bannerTimer = this.graceTimer = null;
  }
}
