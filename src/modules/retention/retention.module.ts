import { Module } from '@nestjs/common';
import { PeopleModule } from '../people/people.module.js';
import { RetentionErasers } from './retention-erasers.js';
import { RetentionService } from './retention.service.js';

/**
 * Retention: anonymisation of closed cases after the group's retention period. A module with
 * personal data of its own imports this module and registers an eraser with RetentionErasers.
 * The daily job (RetentionProcessor) runs in the worker.
 */
@Module({
  imports: [PeopleModule],
  providers: [RetentionErasers, RetentionService],
  exports: [RetentionErasers, RetentionService],
})
export class RetentionModule {}
