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
import { MeetingService } from './meeting.service.js';
import { MinutesService } from './minutes.service.js';

/**
 * Conferences: scheduling (one by one or from the cadence), agendas and placement, the meeting
 * (MeetingService: attendance, start, outcomes, deferrals, conclusion) and its minutes
 * (MinutesService, JSON or PDF). The door is ConferencesService (`placeCase`, `nextFor`,
 * `useActions`); the tables `conferences`, `agenda_items`, `conference_attendance`,
 * `agenda_outcomes` and `agenda_deferrals` are this module's alone. The actions module hands
 * its ActionsPort to ConferencesService.useActions (it depends on this module, not the reverse). AuditService and the Clock are global. Publishing (ConferenceNoticesService)
 * mails the member agencies and owns the timer kinds `conference.reminder` and
 * `conference.victim-views-reminder`. It registers the published-agenda rule of need to know
 * (one case, and the list) and a case’s hearings into CasesService.provide (CasesModule must not import
 * this module).
 */
@Module({
  imports: [GroupsModule, CasesModule, IdentityModule, NotificationsModule, TimersModule],
  controllers: [ConferencesController],
  providers: [ConferencesService, AgendaService, ConferenceNoticesService, MeetingService, MinutesService],
  exports: [ConferencesService],
})
export class ConferencesModule {}
