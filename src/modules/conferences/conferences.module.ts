import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { GroupsModule } from '../groups/groups.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TimersModule } from '../timers/timers.module.js';
import { ConferenceNoticesService } from './conference-notices.service.js';
import { AgendaService } from './agenda.service.js';
import { ConferencesController } from './conferences.controller.js';
import { ConferencesService } from './conferences.service.js';

/**
 * Conferences: scheduling (one by one or from the cadence), agendas and placement. The door is
 * ConferencesService (`placeCase`, `nextFor`); the tables `conferences` and `agenda_items` are
 * this module's alone. AuditService and the Clock are global. Publishing (ConferenceNoticesService)
 * mails the member agencies and owns the timer kinds `conference.reminder` and
 * `conference.victim-views-reminder`. It registers the published-agenda rule of need to know
 * into CasesService (CasesModule must not import this module).
 */
@Module({
  imports: [GroupsModule, CasesModule, IdentityModule, NotificationsModule, TimersModule],
  controllers: [ConferencesController],
  providers: [ConferencesService, AgendaService, ConferenceNoticesService],
  exports: [ConferencesService],
})
export class ConferencesModule {}
