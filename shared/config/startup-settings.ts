// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.

/**
 * The few settings read where no validated configuration exists yet or cannot reach: tracing,
 * which must start at the first import, before Nest and its ConfigModule; and the e-mail rules,
 * which run inside class-validator's decorators. With the env classes next to this file, the only
 * place that reads the process environment (a repo test holds every other file to that).
 */
export type StartupSetting =
  | 'OTEL_SDK_DISABLED'
  | 'OTEL_LOG_LEVEL'
  | 'OTEL_SERVICE_NAME'
  | 'OTEL_TRACES_SAMPLER'
  | 'OTEL_TRACES_SAMPLER_ARG'
  | 'JAEGER_ENDPOINT'
  | 'BLOCKED_EMAIL_DOMAINS';

export function startupSetting(name: StartupSetting): string | undefined {
  return process.env[name];
}
