import { Body, Controller, Delete, Get, Headers, HttpCode, Param, ParseUUIDPipe, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { RequirePermission } from '../../common/auth/permissions.js';
import type { AuthUser } from '../../common/request-context.js';
import { expectedVersion } from '../../common/versioning.js';
import { CreateGroupDto, GroupDto } from './dto/group.dto.js';
import { GroupSettingsDto } from './group-settings.js';
import { GroupsService } from './groups.service.js';

@ApiTags('administration')
@ApiBearerAuth()
@Controller('groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @RequirePermission('groups:manage')
  @ApiOperation({ summary: 'Create a MARAK group (admin); settings default to DOMAIN.md' })
  create(@Body() dto: CreateGroupDto): Promise<GroupDto> {
    return this.groups.create(dto);
  }

  @Get()
  @RequirePermission('groups:read')
  @ApiOperation({ summary: 'Groups visible to the caller' })
  async list(@CurrentUser() user: AuthUser): Promise<{ items: GroupDto[]; nextCursor: null }> {
    return { items: await this.groups.list(user), nextCursor: null };
  }

  @Get(':id')
  @RequirePermission('groups:read')
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<GroupDto> {
    return this.groups.get(user, id);
  }

  @Patch(':id/settings')
  @RequirePermission('groups:configure')
  @ApiOperation({ summary: 'Change settings (admin, or the group’s coordinator); If-Match: version' })
  settings(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: GroupSettingsDto,
    @Headers('if-match') ifMatch?: string,
  ): Promise<GroupDto> {
    return this.groups.updateSettings(user, id, dto, expectedVersion(ifMatch));
  }

  @Put(':id/agencies/:agencyId')
  @RequirePermission('groups:manage')
  @ApiOperation({ summary: 'Make an agency a member of the group (admin)' })
  addAgency(@Param('id', ParseUUIDPipe) id: string, @Param('agencyId', ParseUUIDPipe) agencyId: string): Promise<GroupDto> {
    return this.groups.addAgency(id, agencyId);
  }

  @Delete(':id/agencies/:agencyId')
  @HttpCode(204)
  @RequirePermission('groups:manage')
  @ApiOperation({ summary: 'Remove an agency from the group (admin); its people lose their roles there' })
  removeAgency(@Param('id', ParseUUIDPipe) id: string, @Param('agencyId', ParseUUIDPipe) agencyId: string): Promise<void> {
    return this.groups.removeAgency(id, agencyId);
  }
}
