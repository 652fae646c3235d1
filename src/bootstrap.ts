import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { rejectDeepBodies } from './common/problems/body-depth.js';
import { answerClientError } from './common/problems/client-error.js';
import { createValidationPipe } from './common/problems/validation.js';
import type { Role } from './config/app-config.js';
import { adminRequestVerifier } from './modules/identity/admin-request.js';
import { mountBullBoard } from './platform/queues/bull-board.js';

export const API_PREFIX = 'api/v1';

/** The HTTP application (role `api`, or `all` with the workers in the same process). */
export async function createHttpApp(options: AppModuleOptions, role: Exclude<Role, 'worker'> = 'all'): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(options, role), {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // Requests Node's parser refuses (oversized headers, malformed HTTP) are answered as problems too.
  app.getHttpServer().on('clientError', answerClientError);
  app.disable('x-powered-by');
  app.set('trust proxy', options.config.trustProxy);
  app.useBodyParser('json', { limit: '1mb' });
  app.use(rejectDeepBodies);
  app.setGlobalPrefix(API_PREFIX);
  app.useGlobalPipes(createValidationPipe());
  // Bull Board at /admin/queues, admins only (bearer token checked like the API's guard).
  mountBullBoard(app, adminRequestVerifier(app));

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('MARAK workflow engine')
      .setDescription('Multi-agency risk assessment conferences: referrals, conferences, actions, follow-up.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', useGlobalPrefix: false });
  return app;
}

/** The worker alone: queue processors, no HTTP. */
export async function createWorkerContext(options: AppModuleOptions): Promise<INestApplicationContext> {
  const ctx = await NestFactory.createApplicationContext(AppModule.register(options, 'worker'), { bufferLogs: true, abortOnError: false });
  ctx.useLogger(ctx.get(Logger));
  return ctx;
}
