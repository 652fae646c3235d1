import { Body, Controller, Get, Headers, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../common/auth/permissions.js';
import { expectedVersion } from '../../common/versioning.js';
import { AgenciesService } from './agencies.service.js';
import { AgencyDto, CreateAgencyDto, UpdateAgencyDto } from './dto/agency.dto.js';

@ApiTags('administration')
@ApiBearerAuth()
@Controller('agencies')
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @Post()
  @RequirePermission('agencies:manage')
  create(@Body() dto: CreateAgencyDto): Promise<AgencyDto> {
    return this.agencies.create(dto);
  }

  @Get()
  @RequirePermission('agencies:read')
  async list(): Promise<{ items: AgencyDto[]; nextCursor: null }> {
    return { items: await this.agencies.list(), nextCursor: null };
  }

  @Patch(':id')
  @RequirePermission('agencies:manage')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateAgencyDto, @Headers('if-match') ifMatch?: string): Promise<AgencyDto> {
    return this.agencies.update(id, dto, expectedVersion(ifMatch));
  }
}
