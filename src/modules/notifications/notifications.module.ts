import { Module } from '@nestjs/common';
import { NotificationDelivery } from './notification-delivery.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';

/**
 * Notifications: the mail outbox. Other modules call `NotificationsService.enqueue` in their
 * transaction; `NotificationDelivery` is exported for the worker's `NotificationsProcessor`
 * (listed in app.module.ts PROCESSORS).
 */
@Module({
  controllers: [NotificationsController],
  providers: [NotificationDelivery, NotificationsService],
  exports: [NotificationsService, NotificationDelivery],
})
export class NotificationsModule {}
