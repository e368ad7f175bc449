import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Tenant } from './tenant.entity';

/**
 * Tenants. Until sign-in lands (issue 5) every request acts in the default tenant, but every
 * row already carries its tenant so nothing has to be migrated then.
 */
@Injectable()
export class TenantsService {
  private defaultTenant: Promise<Tenant> | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  getDefault(): Promise<Tenant> {
    this.defaultTenant ??= this.ensureDefault().catch((err: unknown) => {
      this.defaultTenant = null;
      throw err;
    });
    return this.defaultTenant;
  }

  /** Forget the cached tenant after its settings change. */
  invalidate(): void {
    this.defaultTenant = null;
  }

  private async ensureDefault(): Promise<Tenant> {
    const country = /^[A-Z]{2}$/.test(this.config.defaultCountry) ? this.config.defaultCountry : 'BR';
    await this.db.query(
      `INSERT INTO tenants (name, slug, default_country) VALUES ('Default', 'default', $1) ON CONFLICT (slug) DO NOTHING`,
      [country],
    );
    return this.db.getRepository(Tenant).findOneByOrFail({ slug: 'default' });
  }
}
