import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { catalogEntry, type ChannelState, type ChannelView } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { ChannelContext } from '../providers/provider.types';
import { Channel } from './channel.entity';
import { callbackUrl, checkFields, CreateChannelDto, toChannelView, UpdateChannelDto } from './channels.dto';
import { RealtimeService } from '../realtime/realtime.service';
import { SecretsCipher } from './secrets-cipher';

const CACHE_MS = 5000;

/** Provider accounts: their settings, encrypted secrets and connection state. */
@Injectable()
export class ChannelsService {
  private readonly logger = new Logger(ChannelsService.name);
  private readonly cipher: SecretsCipher;
  /** Webhook routing is on the hot path: (provider, routing key) -> channel, briefly cached. */
  private readonly routeCache = new Map<string, { at: number; channel: Channel | null }>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly realtime: RealtimeService,
  ) {
    this.cipher = new SecretsCipher(config.encryptionKey);
  }

  private get repo() {
    return this.db.getRepository(Channel);
  }

  async list(tenantId: string): Promise<ChannelView[]> {
    const rows = await this.repo.find({ where: { tenantId }, order: { createdAt: 'ASC' } });
    return rows.map((c) => this.view(c));
  }

  async get(tenantId: string, id: string): Promise<Channel> {
    const c = await this.repo.findOneBy({ id, tenantId });
    if (!c) throw new NotFoundException(`channel ${id} not found`);
    return c;
  }

  async byId(id: string): Promise<Channel | null> {
    return this.repo.findOneBy({ id });
  }

  view(c: Channel): ChannelView {
    return toChannelView(c, this.cipher.decrypt(c.secrets), this.config.publicBaseUrl);
  }

  context(c: Channel): ChannelContext {
    return {
      id: c.id,
      provider: c.provider,
      config: c.config,
      secrets: this.cipher.decrypt(c.secrets),
      callbackUrl: callbackUrl(this.config.publicBaseUrl, c.provider),
    };
  }

  /** The channel a webhook belongs to; providers without routing keys (mock) use their first channel. */
  async forWebhook(provider: string, routingKey: string | null): Promise<Channel | null> {
    const key = `${provider}\u0000${routingKey ?? ''}`;
    const hit = this.routeCache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.channel;
    const channel =
      routingKey === null
        ? await this.repo.findOne({ where: { provider: provider as Channel['provider'] }, order: { createdAt: 'ASC' } })
        : await this.repo.findOneBy({ provider: provider as Channel['provider'], routingKey });
    this.routeCache.set(key, { at: Date.now(), channel });
    return channel;
  }

  async create(tenantId: string, dto: CreateChannelDto): Promise<Channel> {
    const routingKey = this.routingKey(dto.provider, dto.config);
    if (routingKey && (await this.repo.existsBy({ provider: dto.provider, routingKey }))) {
      throw new ConflictException(`a ${dto.provider} channel for ${routingKey} already exists`);
    }
    const channel = this.repo.create({
      tenantId,
      provider: dto.provider,
      name: dto.name,
      routingKey,
      address: null,
      config: dto.config,
      secrets: Object.keys(dto.secrets).length ? this.cipher.encrypt(dto.secrets) : null,
      state: 'unknown',
      needsReauth: false,
      qr: null,
    });
    const saved = await this.saveAndAnnounce(channel);
    this.routeCache.clear();
    return saved;
  }

  /** Saves and appends `channel_updated` in one transaction: every open settings page and inbox sees it. */
  private saveAndAnnounce(channel: Channel): Promise<Channel> {
    return this.db.transaction(async (m) => {
      const saved = await m.getRepository(Channel).save(channel);
      await this.realtime.append(m, saved.tenantId, null, { type: 'channel_updated', data: { channel: this.view(saved) } });
      return saved;
    });
  }

  async update(tenantId: string, id: string, dto: UpdateChannelDto): Promise<Channel> {
    const c = await this.get(tenantId, id);
    const config = dto.config ? { ...c.config, ...dto.config } : c.config;
    // Absent secret fields keep their stored value; an empty string clears an optional one.
    const secrets = { ...this.cipher.decrypt(c.secrets), ...(dto.secrets ?? {}) };
    for (const [k, v] of Object.entries(secrets)) if (v === '') delete secrets[k];
    checkFields(c.provider, dto.config ?? {}, dto.secrets ?? {}, false);
    checkFields(c.provider, config, secrets, true);
    const routingKey = this.routingKey(c.provider, config);
    if (routingKey !== c.routingKey && routingKey && (await this.repo.existsBy({ provider: c.provider, routingKey }))) {
      throw new ConflictException(`a ${c.provider} channel for ${routingKey} already exists`);
    }
    Object.assign(c, {
      name: dto.name ?? c.name,
      config,
      routingKey,
      secrets: Object.keys(secrets).length ? this.cipher.encrypt(secrets) : null,
    });
    const saved = await this.saveAndAnnounce(c);
    this.routeCache.clear();
    return saved;
  }

  async setConnection(
    manager: EntityManager,
    id: string,
    patch: { state: ChannelState; address?: string | null; needsReauth?: boolean; qr?: string | null },
  ): Promise<Channel | null> {
    const repo = manager.getRepository(Channel);
    const c = await repo.findOneBy({ id });
    if (!c) return null;
    if (patch.address) c.address = patch.address;
    if (patch.needsReauth !== undefined) c.needsReauth = patch.needsReauth;
    if (patch.state === 'connected') c.needsReauth = false;
    c.qr = patch.state === 'connected' ? null : (patch.qr ?? c.qr);
    c.state = displayedState(patch.state, c.needsReauth, c.qr);
    return repo.save(c);
  }

  /** COMMS_PROVIDER at boot: create or update that default channel so no clicks are needed. */
  async ensureBootChannel(tenantId: string): Promise<void> {
    const boot = this.config.bootChannel;
    if (!boot) return;
    if (boot.provider === 'mock') {
      await this.ensureMockChannel(tenantId);
      return;
    }
    const existing = await this.repo.findOneBy({ provider: boot.provider, routingKey: boot.routingKey! });
    if (existing) {
      await this.update(existing.tenantId, existing.id, UpdateChannelDto.parse({ config: boot.config, secrets: boot.secrets }));
    } else {
      await this.create(
        tenantId,
        CreateChannelDto.parse({ provider: boot.provider, name: boot.name, config: boot.config, secrets: boot.secrets }),
      );
    }
    this.logger.log(`default ${boot.provider} channel ${boot.routingKey} is configured`);
  }

  /** The demo channel: present whenever nothing else is configured. */
  async ensureMockChannel(tenantId: string): Promise<Channel> {
    const existing = await this.repo.findOneBy({ tenantId, provider: 'mock' });
    if (existing) return existing;
    const created = await this.create(tenantId, CreateChannelDto.parse({ provider: 'mock', name: 'Demo WhatsApp (mock)' }));
    // The mock has no connection to lose.
    created.state = 'connected';
    return this.repo.save(created);
  }

  async allOf(provider: Channel['provider']): Promise<Channel[]> {
    return this.repo.find({ where: { provider }, order: { createdAt: 'ASC' } });
  }

  async count(): Promise<number> {
    return this.repo.count();
  }

  private routingKey(provider: Channel['provider'], config: Record<string, string>): string | null {
    const field = catalogEntry(provider).routingFields.find((f) => config[f]);
    return field ? config[field] : null;
  }
}

/**
 * The one state an admin needs to see: adapters report what the provider said (connecting,
 * disconnected) plus whether it wants a human; a channel waiting for a human shows
 * `qr_required` when there is a QR to scan, `needs_reauth` otherwise.
 */
export function displayedState(reported: ChannelState, needsReauth: boolean, qr: string | null): ChannelState {
  if (reported === 'connected' || reported === 'qr_required' || !needsReauth) return reported;
  return qr ? 'qr_required' : 'needs_reauth';
}
