// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { BadRequestException, INestApplication, ValidationError, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import type { Server } from 'node:http';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ApiKeyStrategy } from '../auth/api-key.strategy';
import { runWithOrigin } from '../context/origin';
import { jsonProblem } from '../events/json-limits';
import { AllExceptionsFilter, bodyParserError } from './all-exceptions.filter';
import { drainKeepAliveOnClose } from './graceful-close';
import { requestIdOf } from './request-id';

export const BODY_LIMIT = '1mb';

export interface ConfigureAppOptions {
  /**
   * Refuse requests without the right X-API-Key when API_KEY is set (probes aside). On for the
   * services, so none can forget it; the gateway turns it off: its callers are clients, who
   * authenticate with a JWT.
   */
  readonly requireApiKey?: boolean;
}

/** The ValidationPipe of every app; the DTO property tests use it too, so they check exactly this. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // "12" for a number is refused, not coerced: clients must send the type the API documents.
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new BadRequestException(firstFailures(errors)),
  });
}

/**
 * One message per field: the first rule it breaks, in the order the DTO writes them. A price sent
 * as text is told it must be a number, not also every range it never reached. class-validator
 * runs a property's rules bottom-up, so the rule written first is the last one in `constraints`.
 */
export function firstFailures(errors: ValidationError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const messages = Object.values(e.constraints ?? {});
    const own = messages.length ? [`${path}${messages[messages.length - 1]}`] : [];
    return [...own, ...firstFailures(e.children ?? [], `${path}${e.property}.`)];
  });
}

/**
 * Everything a running app and its tests must share: logger, body limit, validation, errors,
 * request ids, shutdown hooks (with keep-alive clients drained on close). main.ts and the
 * integration tests both call it.
 * The app must be created with `{ bufferLogs: true, bodyParser: false }`.
 */
export function configureApp(app: INestApplication, options: ConfigureAppOptions = {}): void {
  const express = app as NestExpressApplication;
  express.useLogger(app.get(Logger));
  express.disable('x-powered-by');
  const config = app.get(ConfigService, { strict: false });
  drainKeepAliveOnClose(app.getHttpServer() as Server, { idleGraceMs: config.get<number>('HTTP_DRAIN_MS') ?? 0 });
  // The request's id is its origin: the events its writes record and the calls it makes carry it.
  express.use((req: Request, res: Response, next: NextFunction) => {
    runWithOrigin({ requestId: requestIdOf(req, res) }, next);
  });
  express.useBodyParser('json', { limit: BODY_LIMIT });
  // Answers body-parser failures here, while their type (too large, malformed) is still known;
  // past this point Nest turns them into a bare 400.
  express.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    const known = bodyParserError(err);
    if (!known) return next(err);
    res.status(known.statusCode).json({ ...known, requestId: requestIdOf(req, res) });
  });
  // Found by the fuzz run, each a 500 before: JSON parses to any depth but the ValidationPipe
  // walks bodies recursively (5,000 nested arrays, 10 KB, overflowed its stack); and JSON can carry
  // U+0000 and unpaired surrogates, which no PostgreSQL text or jsonb column takes.
  express.use((req: Request, res: Response, next: NextFunction) => {
    const problem = jsonProblem(req.body);
    if (!problem) return next();
    res.status(400).json({ statusCode: 400, message: `JSON body ${problem}`, error: 'Bad Request', requestId: requestIdOf(req, res) });
  });
  express.useGlobalPipes(createValidationPipe());
  express.useGlobalFilters(new AllExceptionsFilter());
  if (options.requireApiKey !== false) {
    const strategy = new ApiKeyStrategy(config.get<string>('API_KEY'));
    express.useGlobalGuards(new ApiKeyGuard(strategy));
    // Swagger's pages are plain express routes, outside Nest's guards: the same key guards them,
    // so a service's internal API is described only to who may call it.
    if (strategy.enabled) {
      express.use(['/docs', '/docs-json'], (req: Request, res: Response, next: NextFunction) => {
        if (strategy.authenticate(req.headers)) return next();
        res.status(401).json({ statusCode: 401, message: 'missing or wrong X-API-Key', error: 'Unauthorized', requestId: requestIdOf(req, res) });
      });
    }
  }
  express.enableShutdownHooks();
}
