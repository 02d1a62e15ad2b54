// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import type { DatabaseEnv } from '../config/env';
import type { ServiceSchema } from '../database/database.module';

/** What makes one service different from the others; the rest of its plumbing is shared. */
export interface ServiceDefinition {
  /** 'order-service': logs, traces, metrics and its Swagger title. */
  readonly name: string;
  readonly description: string;
  /** The service's environment, checked before anything starts (a bad value: one line, exit 1). */
  readonly validateEnv: (raw: Record<string, unknown>) => DatabaseEnv;
  readonly schema: ServiceSchema;
  /** It has event handlers: its consumer is started, and ready means joined to its group too. */
  readonly consumesEvents: boolean;
}

export const SERVICE_DEFINITION = Symbol('ServiceDefinition');
