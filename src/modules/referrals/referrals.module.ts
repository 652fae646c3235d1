import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module.js';
import { ConferencesModule } from '../conferences/conferences.module.js';
import { GroupsModule } from '../groups/groups.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PeopleModule } from '../people/people.module.js';
import { TimersModule } from '../timers/timers.module.js';
import { ReferralsController } from './referrals.controller.js';
import { ReferralsService } from './referrals.service.js';
import { RiskFormsController } from './risk-forms.controller.js';

@Module({
  imports: [PeopleModule, CasesModule, ConferencesModule, GroupsModule, IdentityModule, TimersModule, NotificationsModule],
  controllers: [ReferralsController, RiskFormsController],
  providers: [ReferralsService],
  exports: [ReferralsService],
})
export class ReferralsModule {}
