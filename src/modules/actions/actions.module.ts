import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { ConferencesModule } from '../conferences/conferences.module.js';
import { GroupsModule } from '../groups/groups.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TimersModule } from '../timers/timers.module.js';
import { ActionLadderService } from './action-ladder.service.js';
import { ActionsController } from './actions.controller.js';
import { ActionsService } from './actions.service.js';

/**
 * Agency actions and their ladder. The tables `actions` and `action_events` are this module's
 * alone. It depends on conferences (an overdue action puts its case on the next agenda for
 * review) and hands conferences its ActionsPort (an outcome creates actions; the minutes list
 * them), and registers into cases what a closure does to open actions. Owns the timer kinds
 * `action.*` (action-ladder.ts).
 */
@Module({
  imports: [CasesModule, ConferencesModule, GroupsModule, IdentityModule, NotificationsModule, TimersModule],
  controllers: [ActionsController],
  providers: [ActionsService, ActionLadderService],
  exports: [ActionsService],
})
export class ActionsModule {}
