import { Body, Controller, Get, Patch } from '@nestjs/common';
import { TenantsService } from '../tenants/tenants.service';
import { SettingsService, type TenantSettingsView } from './settings.service';

@Controller('api/comms/settings')
export class SettingsController {
  constructor(
    private readonly settings: SettingsService,
    private readonly tenants: TenantsService,
  ) {}

  @Get()
  async get(): Promise<TenantSettingsView> {
    return this.settings.get((await this.tenants.getDefault()).id);
  }

  @Patch()
  async patch(@Body() body: unknown): Promise<TenantSettingsView> {
    return this.settings.patch((await this.tenants.getDefault()).id, body);
  }
}
