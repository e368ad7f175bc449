import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PROVIDER_KINDS, type ConnectionTestView, type ProviderKind } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { optionalString, requireObject, stringRecord } from '../common/validate';
import { ProvidersRegistry } from '../providers/providers.registry';
import type { ChannelContext } from '../providers/provider.types';
import { RealtimeService } from '../realtime/realtime.service';
import { callbackUrl, checkFields } from './channels.dto';
import { ChannelsService } from './channels.service';

/**
 * Connection tests: ask the provider whether the account answers (Evolution connectionState)
 * and register our webhook with it. A saved channel's state is updated and pushed live.
 */
@Injectable()
export class ConnectionTestService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
    private readonly realtime: RealtimeService,
  ) {}

  async testSaved(tenantId: string, channelId: string): Promise<ConnectionTestView> {
    const channel = await this.channels.get(tenantId, channelId);
    const result = await this.run(this.channels.context(channel));
    const check = result.checks.find((c) => c.name === 'connection');
    const state = check?.state ?? (check?.ok ? 'connected' : 'disconnected');
    await this.db.transaction(async (m) => {
      // The test's answer replaces any earlier QR code: one it did not return is stale (a refused
      // key, a session that moved on), and setConnection keeps the stored QR when given none.
      if (!check?.qr) await m.query(`UPDATE channels SET qr = NULL WHERE id = $1`, [channel.id]);
      const updated = await this.channels.setConnection(m, channel.id, {
        state,
        address: check?.address ?? null,
        needsReauth: state === 'needs_reauth' || state === 'qr_required',
        qr: check?.qr ?? null,
      });
      if (updated)
        await this.realtime.append(m, tenantId, null, { type: 'channel_updated', data: { channel: this.channels.view(updated) } });
    });
    return result;
  }

  /** POST /api/comms/provider/test: a saved channel by id, or settings not saved yet. */
  async testRequest(tenantId: string, body: unknown): Promise<ConnectionTestView> {
    const o = requireObject(body);
    const channelId = optionalString(o, 'channelId');
    if (channelId) return this.testSaved(tenantId, channelId);
    const provider = optionalString(o, 'provider');
    if (!provider || !(PROVIDER_KINDS as readonly string[]).includes(provider)) {
      throw new BadRequestException(`pass channelId, or provider (one of ${PROVIDER_KINDS.join(', ')}) with config and secrets`);
    }
    const config = stringRecord(o, 'config');
    const secrets = stringRecord(o, 'secrets');
    checkFields(provider as ProviderKind, config, secrets, true);
    const kind = provider as ProviderKind;
    return this.run({ id: 'unsaved', provider: kind, config, secrets, callbackUrl: callbackUrl(this.config.publicBaseUrl, kind) });
  }

  private async run(ctx: ChannelContext): Promise<ConnectionTestView> {
    const started = Date.now();
    const checks = await this.registry.get(ctx.provider).testConnection(ctx, callbackUrl(this.config.publicBaseUrl, ctx.provider));
    return { ok: checks.every((c) => c.ok), checks, latencyMs: Date.now() - started };
  }
}
