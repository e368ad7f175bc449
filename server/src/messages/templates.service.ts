import { BadRequestException, BadGatewayException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { templateParameterProblem, type TemplateListView, type TemplateRef, type TemplateView } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { ChannelsService } from '../channels/channels.service';
import { iso } from '../common/rows';
import { ProviderError } from '../providers/provider-error';
import { ProvidersRegistry } from '../providers/providers.registry';
import type { ProviderTemplate } from '../providers/provider.types';
import { bodyParameters, toTemplateView } from './template-render';

interface TemplateRow {
  name: string;
  language: string;
  status: string;
  category: string;
  components: ProviderTemplate['components'];
  synced_at: Date;
}

/**
 * WhatsApp templates per Meta channel: fetched from the WABA on demand (and when first needed),
 * kept in message_templates so the picker opens instantly and sends are checked against them.
 */
@Injectable()
export class TemplatesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly channels: ChannelsService,
    private readonly registry: ProvidersRegistry,
  ) {}

  async list(tenantId: string, channelId: string): Promise<TemplateListView> {
    const channel = await this.channels.get(tenantId, channelId);
    this.adapterFor(channel.provider);
    const rows = await this.rows(this.db.manager, channel.id);
    // Never synced: fetch now, so the first picker opening shows the WABA's templates.
    if (rows.length === 0) return this.sync(tenantId, channelId);
    return this.view(rows);
  }

  /** Replaces the channel's stored templates with what Meta lists now. */
  async sync(tenantId: string, channelId: string): Promise<TemplateListView> {
    const channel = await this.channels.get(tenantId, channelId);
    const adapter = this.adapterFor(channel.provider);
    let templates: ProviderTemplate[];
    try {
      templates = await adapter.listTemplates!(this.channels.context(channel));
    } catch (err) {
      if (err instanceof ProviderError && err.code === 'bad_request') throw new BadRequestException(err.message);
      if (err instanceof ProviderError) throw new BadGatewayException(`could not list templates from ${channel.provider}: ${err.message}`);
      throw err;
    }
    await this.db.transaction(async (m) => {
      await m.query(`DELETE FROM message_templates WHERE channel_id = $1`, [channel.id]);
      for (const t of templates) {
        await m.query(
          `INSERT INTO message_templates (channel_id, name, language, status, category, components) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
           ON CONFLICT (channel_id, name, language) DO NOTHING`,
          [channel.id, t.name, t.language, t.status, t.category, JSON.stringify(t.components)],
        );
      }
    });
    const rows = await this.rows(this.db.manager, channel.id);
    return rows.length ? this.view(rows) : { items: [], syncedAt: new Date().toISOString() };
  }

  /**
   * Checks a template send against the synced list: it must exist in that language, be
   * approved, and get exactly as many body parameters as it has placeholders. Returns the view
   * (for rendering), or null when the channel has never synced (Meta then judges it).
   */
  async checkSend(m: EntityManager, channelId: string, ref: TemplateRef): Promise<TemplateView | null> {
    const rows = await this.rows(m, channelId);
    if (rows.length === 0) return null;
    const row = rows.find((r) => r.name === ref.name && r.language === ref.language.code);
    if (!row) {
      throw new UnprocessableEntityException(
        `template_unknown: this channel has no template "${ref.name}" in ${ref.language.code}; refresh the templates if it was just approved`,
      );
    }
    const view = this.toView(row);
    if (view.status !== 'APPROVED') {
      throw new UnprocessableEntityException(`template_not_approved: "${ref.name}" is ${view.status}; only approved templates can be sent`);
    }
    const values = bodyParameters(ref);
    if (values.length !== view.bodyParameters) {
      throw new BadRequestException(`template "${ref.name}" takes ${view.bodyParameters} body parameter(s), ${values.length} given`);
    }
    // Meta would accept the request and fail the message later (132018): refuse it now, with the reason.
    values.forEach((v, i) => {
      const problem = templateParameterProblem(v);
      if (problem) throw new BadRequestException(`template parameter {{${i + 1}}}: ${problem.toLowerCase()}`);
    });
    return view;
  }

  private adapterFor(kind: Parameters<ProvidersRegistry['get']>[0]) {
    const adapter = this.registry.get(kind);
    if (!adapter.listTemplates) throw new BadRequestException(`${kind} channels have no message templates`);
    return adapter;
  }

  private rows(m: EntityManager, channelId: string): Promise<TemplateRow[]> {
    return m.query(
      `SELECT name, language, status, category, components, synced_at FROM message_templates WHERE channel_id = $1 ORDER BY name, language`,
      [channelId],
    );
  }

  private toView(r: TemplateRow): TemplateView {
    return toTemplateView({ name: r.name, language: r.language, status: r.status, category: r.category, components: r.components });
  }

  private view(rows: TemplateRow[]): TemplateListView {
    const syncedAt = rows.reduce<Date | null>((a, r) => (!a || r.synced_at > a ? r.synced_at : a), null);
    return { items: rows.map((r) => this.toView(r)), syncedAt: syncedAt ? iso(syncedAt) : null };
  }
}
