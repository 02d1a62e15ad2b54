// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.

/**
 * The paths an orchestrator and Prometheus poll, on every app: no API key, no token, no rate limit
 * (they are answered by HealthController and the metrics route).
 */
export const PROBE_PATHS: readonly string[] = ['/health/live', '/health/ready', '/metrics'];
