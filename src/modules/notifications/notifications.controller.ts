import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../common/auth/permissions.js';
import { Problem } from '../../common/problems/problem.js';
import { groupsWithRole, requestContext } from '../../common/request-context.js';
import { ListNotificationsQuery, NotificationPageDto } from './dto/list-notifications.dto.js';
import { InvalidCursorError, NotificationsService } from './notifications.service.js';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @RequirePermission('notifications:read')
  @ApiOperation({ summary: 'Outbox messages, newest first; ?status=failed lists those given up on (admin; a coordinator sees their groups\')' })
  @ApiOkResponse({ type: NotificationPageDto })
  async list(@Query() q: ListNotificationsQuery): Promise<NotificationPageDto> {
    // The global guard has checked the permission; an admin sees all, a coordinator their groups.
    const user = requestContext.get()?.user;
    const groupIds =
      user && !user.roles.some((r) => r.role === 'admin')
        ? groupsWithRole(user, 'coordinator')
        : undefined;
    try {
      return await this.notifications.list({ status: q.status, kind: q.kind, groupIds, limit: q.limit ?? 50, cursor: q.cursor });
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new Problem(400, 'invalid-cursor', 'Bad Request', 'The cursor is not one this list returned.');
      throw err;
    }
  }
}
