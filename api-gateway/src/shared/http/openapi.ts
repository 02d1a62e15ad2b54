// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { UUID_SCHEMA } from '../dto/schema';
import { pathOf, requestIdOf } from './request-id';

type Schema = Record<string, any>;
type Operation = { parameters?: Schema[]; requestBody?: Schema; responses: Record<string, Schema>; security?: unknown[] };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

export interface ExactnessOptions {
  /**
   * The security scheme enforced in the mode the app runs in (none when off): on every operation
   * (`all`), or on those that declare it (the gateway's public routes do not).
   */
  readonly security?: { readonly scheme: string; readonly description: string; readonly all: boolean };
}

const ERROR_REF = { $ref: '#/components/schemas/ErrorResponseDto' };

function operations(doc: OpenAPIObject): Array<[string, string, Operation]> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Schema)[m]).map((m) => [path, m, (item as Schema)[m] as Operation] as [string, string, Operation]),
  );
}

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

/** Request bodies refuse unknown fields (forbidNonWhitelisted): closes each body schema and those nested in it. */
function closeBodies(doc: OpenAPIObject, op: Operation): void {
  const schemas = (doc.components?.schemas ?? {}) as Record<string, Schema>;
  const seen = new Set<string>();
  const visit = (schema: Schema | undefined): void => {
    if (!schema) return;
    if (schema.$ref) {
      const name = refName(schema.$ref);
      if (seen.has(name)) return;
      seen.add(name);
      return visit(schemas[name]);
    }
    if (schema.type === 'object' || schema.properties) {
      schema.additionalProperties = false;
      Object.values((schema.properties ?? {}) as Record<string, Schema>).forEach(visit);
    }
    if (schema.items) visit(schema.items);
    for (const key of ['allOf', 'oneOf', 'anyOf'] as const) (schema[key] as Schema[] | undefined)?.forEach(visit);
  };
  visit(op.requestBody?.content?.['application/json']?.schema);
}

function addError(op: Operation, status: number, description: string): void {
  op.responses[status] ??= { description, content: { 'application/json': { schema: ERROR_REF } } };
}

/**
 * The document as exact as the validators: closed request bodies, the errors every route can
 * answer, and security only in the mode that enforces it. Called on the generated document, so
 * the DTOs stay the one source of each rule.
 */
export function exactDocument(doc: OpenAPIObject, options: ExactnessOptions = {}): OpenAPIObject {
  for (const [path, , op] of operations(doc)) {
    closeBodies(doc, op);
    // A body whose every field is optional may be left out: an empty PUT changes nothing, and is no error.
    const body = op.requestBody?.content?.['application/json']?.schema;
    const bodySchema = body?.$ref ? (doc.components?.schemas as Record<string, Schema>)[refName(body.$ref)] : body;
    if (op.requestBody && bodySchema && !bodySchema.required?.length) op.requestBody.required = false;
    // Path ids (`id`, `sessionId`) are uuids everywhere in this API (UuidParamPipe): say so where a route did not.
    for (const p of op.parameters ?? []) {
      if (p.in === 'path' && /^(id|[a-z]+Id)$/.test(String(p.name))) p.schema = { type: 'string', ...UUID_SCHEMA };
    }
    if (op.requestBody || op.parameters?.length || path.includes('{')) addError(op, 400, 'Invalid input: the message names each failing field');
    if (op.requestBody) {
      addError(op, 413, 'Request body over 1 MB');
      addError(op, 415, 'A body that is not JSON (Content-Type must be application/json)');
    }
    if (options.security && (options.security.all || op.security?.length)) {
      op.security = [{ [options.security.scheme]: [] }];
      addError(op, 401, options.security.description);
    } else {
      delete op.security;
    }
  }
  if (!options.security && doc.components) delete doc.components.securitySchemes;
  return doc;
}

/** An OpenAPI path pattern (`/api/users/{id}`) as a regular expression. */
const pathPattern = (path: string) => new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`);

/**
 * A known path asked with a method it does not have: 405 with `Allow`, not a 404 that says the
 * path does not exist. From the document that lists the routes; at `preParsing`, so a CORS
 * preflight (answered at `onRequest`) is not refused and a body is never read for nothing.
 */
export function answerUnknownMethods(app: INestApplication, doc: OpenAPIObject): void {
  const known = Object.entries(doc.paths).map(([path, item]) => {
    const methods = METHODS.filter((m) => (item as Schema)[m]).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    return { pattern: pathPattern(path), methods };
  });
  (app as NestFastifyApplication).getHttpAdapter().getInstance().addHook('preParsing', (req, reply, _payload, done) => {
    // A request that matched a route was asked with a method that route has: nothing to look up.
    if (!req.is404) return done();
    const path = pathOf(req.originalUrl);
    const matching = known.filter((k) => k.pattern.test(path));
    if (matching.length === 0) return done();
    const allowed = [...new Set(matching.flatMap((k) => k.methods))];
    if (allowed.includes(req.method)) return done();
    void reply
      .header('Allow', allowed.join(', '))
      .status(405)
      .send({
        statusCode: 405,
        message: `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
        error: STATUS_CODES[405],
        requestId: requestIdOf(req.raw),
      });
  });
}
