import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { requireObject } from '../common/validate';
import { TenantsService } from '../tenants/tenants.service';

export interface TenantSettingsView {
  /** ISO 3166 alpha-2: how numbers typed in national format are read. */
  defaultCountry: string;
}

/** Tenant settings. Only keys listed here are accepted; each is validated. */
@Injectable()
export class SettingsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tenants: TenantsService,
  ) {}

  async get(tenantId: string): Promise<TenantSettingsView> {
    const rows: { default_country: string }[] = await this.db.query(`SELECT default_country FROM tenants WHERE id = $1`, [tenantId]);
    return { defaultCountry: rows[0].default_country };
  }

  async patch(tenantId: string, body: unknown): Promise<TenantSettingsView> {
    const o = requireObject(body);
    for (const key of Object.keys(o)) {
      if (key !== 'defaultCountry') throw new BadRequestException(`unknown setting ${key}`);
    }
    if (o.defaultCountry !== undefined) {
      if (typeof o.defaultCountry !== 'string' || !/^[A-Za-z]{2}$/.test(o.defaultCountry)) {
        throw new BadRequestException('defaultCountry must be a two-letter ISO country code such as BR or GB');
      }
      await this.db.query(`UPDATE tenants SET default_country = $2 WHERE id = $1`, [tenantId, o.defaultCountry.toUpperCase()]);
      this.tenants.invalidate();
    }
    return this.get(tenantId);
  }
}
