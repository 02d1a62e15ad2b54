import type { GatewayEnv } from './env';

/** The services behind the gateway, by the name they have in errors, metrics and health. */
export const UPSTREAMS = ['user-service', 'order-service', 'payment-service'] as const;
export type Upstream = (typeof UPSTREAMS)[number];

export interface UpstreamOptions {
  /**
   * Base URLs of each service's instances, e.g. [http://localhost:3001, http://localhost:3011]
   * (a path prefix is kept). Requests are spread over the ready ones.
   */
  readonly baseUrls: Record<Upstream, readonly string[]>;
  readonly timeoutMs: number;
  readonly apiKey?: string;
}

export const UPSTREAM_OPTIONS = Symbol('UPSTREAM_OPTIONS');

type UpstreamEnv = Pick<
  GatewayEnv,
  'USER_SERVICE_URL' | 'ORDER_SERVICE_URL' | 'PAYMENT_SERVICE_URL' | 'UPSTREAM_TIMEOUT_MS' | 'API_KEY'
>;

export function upstreamOptionsFrom(env: UpstreamEnv): UpstreamOptions {
  return {
    baseUrls: {
      'user-service': env.USER_SERVICE_URL,
      'order-service': env.ORDER_SERVICE_URL,
      'payment-service': env.PAYMENT_SERVICE_URL,
    },
    timeoutMs: env.UPSTREAM_TIMEOUT_MS,
    apiKey: env.API_KEY,
  };
}
