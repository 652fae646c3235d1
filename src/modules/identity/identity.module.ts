import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AgenciesController } from './agencies.controller.js';
import { AgenciesService } from './agencies.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { BootstrapAdmin } from './bootstrap-admin.service.js';
import { LoginThrottle } from './login-throttle.service.js';
import { MeController } from './me.controller.js';
import { TokenService } from './token.service.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [AuthController, MeController, AgenciesController, UsersController],
  providers: [AgenciesService, UsersService, AuthService, TokenService, LoginThrottle, AuthGuard, BootstrapAdmin, { provide: APP_GUARD, useExisting: AuthGuard }],
  exports: [AgenciesService, UsersService, AuthGuard],
})
export class IdentityModule {}
