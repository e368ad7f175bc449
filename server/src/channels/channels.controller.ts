import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import type { ChannelView, ConnectionTestView } from '@switchboard/contracts';
import { TenantsService } from '../tenants/tenants.service';
import { CreateChannelDto, UpdateChannelDto } from './channels.dto';
import { ChannelsService } from './channels.service';
import { ConnectionTestService } from './connection-test.service';

@Controller('api/comms')
export class ChannelsController {
  constructor(
    private readonly channels: ChannelsService,
    private readonly tests: ConnectionTestService,
    private readonly tenants: TenantsService,
  ) {}

  @Get('channels')
  async list(): Promise<ChannelView[]> {
    return this.channels.list((await this.tenants.getDefault()).id);
  }

  @Get('channels/:id')
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ChannelView> {
    return this.channels.view(await this.channels.get((await this.tenants.getDefault()).id, id));
  }

  /** Creates the channel, then tests it (which registers our webhook with the provider). */
  @Post('channels')
  async create(@Body() body: unknown): Promise<ChannelView & { test: ConnectionTestView }> {
    const tenantId = (await this.tenants.getDefault()).id;
    const created = await this.channels.create(tenantId, CreateChannelDto.parse(body));
    const test = await this.tests.testSaved(tenantId, created.id);
    return { ...this.channels.view(await this.channels.get(tenantId, created.id)), test };
  }

  @Patch('channels/:id')
  async update(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<ChannelView> {
    return this.channels.view(await this.channels.update((await this.tenants.getDefault()).id, id, UpdateChannelDto.parse(body)));
  }

  @Post('provider/test')
  @HttpCode(200)
  async testProvider(@Body() body: unknown): Promise<ConnectionTestView> {
    return this.tests.testRequest((await this.tenants.getDefault()).id, body);
  }
}
