import type { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import type { GatewayEnv } from '../../src/config/env';
import { fastifyOf } from '../../src/shared/http/configure-app';

let loadedWith: string | undefined;

/**
 * The real AppModule with the given environment, set up exactly as main.ts does (setupApp).
 * ConfigModule reads the environment when app.module is first imported, so each test file gets
 * one environment (Jest gives every file its own module registry and process.env).
 */
export async function startGateway(env: Record<string, string>): Promise<INestApplication> {
  const key = JSON.stringify(env);
  if (loadedWith !== undefined && loadedWith !== key) {
    throw new Error('startGateway: one environment per test file (app.module is loaded once)');
  }
  loadedWith = key;
  Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  const { AppModule } = await import('../../src/app.module');
  const { createGatewayAdapter, setupApp } = await import('../../src/setup-app');
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const config = moduleRef.get<ConfigService<GatewayEnv, true>>(ConfigService);
  const app = moduleRef.createNestApplication(createGatewayAdapter({ TRUST_PROXY: config.get('TRUST_PROXY', { infer: true }) }), { bufferLogs: true, bodyParser: false });
  setupApp(app);
  await app.init();
  await fastifyOf(app).ready();
  return app;
}
