import { Module } from '@nestjs/common';
import { GroupsModule } from '../groups/groups.module.js';
import { AgendaService } from './agenda.service.js';
import { ConferencesController } from './conferences.controller.js';
import { ConferencesService } from './conferences.service.js';

/**
 * Conferences: scheduling (one by one or from the cadence), agendas and placement. The door is
 * ConferencesService (`placeCase`, `nextFor`); the tables `conferences` and `agenda_items` are
 * this module's alone. AuditService and the Clock are global.
 */
@Module({
  imports: [GroupsModule],
  controllers: [ConferencesController],
  providers: [ConferencesService, AgendaService],
  exports: [ConferencesService],
})
export class ConferencesModule {}
