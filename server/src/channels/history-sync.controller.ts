import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { TenantsService } from '../tenants/tenants.service';
import { StartHistorySyncDto, type HistorySyncView } from './history-sync.dto';
import { HistorySyncService } from './history-sync.service';

@Controller('api/comms')
export class HistorySyncController {
  constructor(
    private readonly syncs: HistorySyncService,
    private readonly tenants: TenantsService,
  ) {}

  /** Starts importing the channel's last `days` (default 7, at most 90): 202 with the import. */
  @Post('channels/:id/sync')
  @HttpCode(202)
  async start(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<HistorySyncView> {
    const dto = StartHistorySyncDto.parse(body);
    return this.syncs.start((await this.tenants.getDefault()).id, id, dto);
  }

  /** The channel's latest import, running or finished. */
  @Get('channels/:id/sync')
  async latest(@Param('id', ParseUUIDPipe) id: string): Promise<HistorySyncView> {
    return this.syncs.latest((await this.tenants.getDefault()).id, id);
  }
}
