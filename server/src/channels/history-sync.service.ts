import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ProviderError } from '../providers/provider-error';
import { ProvidersRegistry } from '../providers/providers.registry';
import { ChannelsService } from './channels.service';
import { toHistorySyncView, type HistorySyncView, type StartHistorySyncDto } from './history-sync.dto';
import { HistorySyncTracker } from './history-sync.tracker';

const DAY_MS = 86_400_000;

/**
 * History sync: the phone's recent messages pulled into threads. The provider is asked to replay
 * the period through our webhook; the replayed messages take the ordinary inbound path (stored,
 * queued, ingested, deduplicated by provider message id) and HistorySyncTracker counts them and
 * pushes progress on the socket's `sync` event (`kind: 'history'`).
 */
@Injectable()
export class HistorySyncService {
  constructor(
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
    private readonly tracker: HistorySyncTracker,
  ) {}

  async start(tenantId: string, channelId: string, dto: StartHistorySyncDto): Promise<HistorySyncView> {
    const channel = await this.channels.get(tenantId, channelId);
    const adapter = this.registry.get(channel.provider);
    if (!adapter.requestHistory) throw new BadRequestException(`${channel.provider} channels cannot sync history`);
    const until = new Date();
    const since = new Date(until.getTime() - dto.days * DAY_MS);
    const row = await this.tracker.begin(tenantId, channel.id, since, until);
    if (!row) throw new ConflictException(`a history sync is already running for channel ${channel.id}`);
    try {
      const { total } = await adapter.requestHistory(this.channels.context(channel), since, until);
      return toHistorySyncView((await this.tracker.requested(row.id, total)) ?? row);
    } catch (err) {
      // The import is recorded either way: a refused request ends it `failed`, with the reason.
      const failed = await this.tracker.finish(row.id, 'failed', (err as Error).message);
      if (!(err instanceof ProviderError)) throw err;
      return toHistorySyncView(failed ?? row);
    }
  }

  async latest(tenantId: string, channelId: string): Promise<HistorySyncView> {
    const channel = await this.channels.get(tenantId, channelId);
    const row = await this.tracker.latest(channel.id);
    if (!row) throw new NotFoundException(`channel ${channel.id} has not synced its history yet`);
    return toHistorySyncView(row);
  }
}
