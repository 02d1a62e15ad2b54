// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { Controller, DynamicModule, Get, Module, Res, ServiceUnavailableException, Type } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorFunction, TerminusModule } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';

/** An app's readiness: each function checks one dependency (database, kafka, a downstream service). */
export abstract class ReadinessChecks {
  abstract checks(): HealthIndicatorFunction[];
}

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessChecks,
  ) {}

  /** The process is up and serving; nothing else is checked (a restart would not help a dependency). */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when every dependency answers; 503 naming the ones that do not. */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthCheckResult> {
    try {
      return await this.health.check(this.readiness.checks());
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      res.status(503);
      return e.getResponse() as HealthCheckResult;
    }
  }
}

export function healthModule(
  checks: Type<ReadinessChecks>,
  imports: DynamicModule['imports'] = [],
  providers: DynamicModule['providers'] = [],
): DynamicModule {
  return {
    module: HealthModule,
    imports: [TerminusModule.forRoot({ logger: false }), ...imports],
    controllers: [HealthController],
    providers: [{ provide: ReadinessChecks, useClass: checks }, ...providers],
  };
}

@Module({})
export class HealthModule {}
