import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { UsersService } from './users.service.js';
import { LOCK_KEYS } from '../../platform/database/lock-keys.js';

const BOOTSTRAP_LOCK = LOCK_KEYS.bootstrapAdmin;

/** First start: creates the admin of MARAK_BOOTSTRAP_ADMIN_* when no user exists; never again. */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger(BootstrapAdmin.name);

  constructor(@InjectDataSource() private readonly db: DataSource, @Inject(APP_CONFIG) private readonly config: AppConfig, private readonly users: UsersService) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (!admin) return;
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
      if ((await this.users.count(tx)) > 0) return;
      await this.users.create({ email: admin.email, name: 'Administrator', password: admin.password, roles: [{ role: 'admin' }] }, tx);
      this.logger.log('created the bootstrap admin (no user existed)');
    });
  }
}
