import { Module } from '@nestjs/common';
import { PeopleService } from './people.service.js';

/**
 * Victims, perpetrators and children: encrypted personal data and repeat matching. No routes
 * of its own (people are created and shown through referrals and cases; the data subject's
 * access report is `GET /people/:id/access-log` in the audit module). Needs the platform's
 * FieldCryptoService and Clock, which are global.
 */
@Module({
  providers: [PeopleService],
  exports: [PeopleService],
})
export class PeopleModule {}
