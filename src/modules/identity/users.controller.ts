import { Body, Controller, Get, Headers, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../common/auth/permissions.js';
import { expectedVersion } from '../../common/versioning.js';
import { CreateUserDto, UpdateUserDto, UserDto } from './dto/user.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('administration')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RequirePermission('users:manage')
  create(@Body() dto: CreateUserDto): Promise<UserDto> {
    return this.users.create(dto);
  }

  @Get()
  @RequirePermission('users:manage')
  async list(): Promise<{ items: UserDto[]; nextCursor: null }> {
    return { items: await this.users.list(), nextCursor: null };
  }

  @Get(':id')
  @RequirePermission('users:manage')
  get(@Param('id', ParseUUIDPipe) id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @RequirePermission('users:manage')
  update(@Param('id', ParseUUIDPipe) id: string, @Body() dto: UpdateUserDto, @Headers('if-match') ifMatch?: string): Promise<UserDto> {
    return this.users.update(id, dto, expectedVersion(ifMatch));
  }
}
