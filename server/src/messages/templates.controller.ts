import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import type { TemplateListView } from '@switchboard/contracts';
import { TenantsService } from '../tenants/tenants.service';
import { TemplatesService } from './templates.service';

/** A Meta channel's message templates: the stored list, and a refresh from the WABA. */
@Controller('api/comms/channels/:id/templates')
export class TemplatesController {
  constructor(
    private readonly templates: TemplatesService,
    private readonly tenants: TenantsService,
  ) {}

  @Get()
  async list(@Param('id', ParseUUIDPipe) id: string): Promise<TemplateListView> {
    return this.templates.list((await this.tenants.getDefault()).id, id);
  }

  @Post('sync')
  @HttpCode(200)
  async sync(@Param('id', ParseUUIDPipe) id: string): Promise<TemplateListView> {
    return this.templates.sync((await this.tenants.getDefault()).id, id);
  }
}
