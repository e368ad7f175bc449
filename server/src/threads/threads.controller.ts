import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Query, Res } from '@nestjs/common';
import type { Page, ThreadView } from '@switchboard/contracts';
import type { FastifyReply } from 'fastify';
import { RealtimeService } from '../realtime/realtime.service';
import { TenantsService } from '../tenants/tenants.service';
import { PatchThreadDto, ThreadListQueryDto } from './threads.dto';
import { ThreadsService } from './threads.service';

@Controller('api/comms/threads')
export class ThreadsController {
  constructor(
    private readonly threads: ThreadsService,
    private readonly tenants: TenantsService,
    private readonly realtime: RealtimeService,
  ) {}

  /**
   * The list, with `x-realtime-seq`: the newest event seq read *before* the query, so a client
   * that starts its socket from it misses nothing that happened after this snapshot.
   */
  @Get()
  async list(@Query() query: Record<string, unknown>, @Res({ passthrough: true }) res: FastifyReply): Promise<Page<ThreadView>> {
    const tenant = await this.tenants.getDefault();
    const dto = ThreadListQueryDto.parse(query);
    const seq = await this.realtime.currentSeq(tenant.id);
    void res.header('x-realtime-seq', String(seq));
    return this.threads.list(tenant, dto);
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<ThreadView> {
    return this.threads.get((await this.tenants.getDefault()).id, id);
  }

  @Patch(':id')
  async patch(@Param('id', ParseUUIDPipe) id: string, @Body() body: unknown): Promise<ThreadView> {
    return this.threads.patch((await this.tenants.getDefault()).id, id, PatchThreadDto.parse(body));
  }
}
