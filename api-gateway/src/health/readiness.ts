import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Upstream, UPSTREAMS } from '../config/upstreams';
import { ReadinessChecks } from '../shared/observability/health';
import { InstanceProbe, UpstreamClient } from '../upstream/upstream-client';

/** An instance that has not answered its own readiness within this is reported down. */
export const PROBE_TIMEOUT_MS = 1500;

/**
 * Ready = every service behind the gateway has at least one ready instance (its own DB and Kafka
 * included). Each service's entry names its instances, by base URL, and what each answered.
 */
@Injectable()
export class GatewayReadiness extends ReadinessChecks {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly upstreams: UpstreamClient,
  ) {
    super();
  }

  checks(): HealthIndicatorFunction[] {
    return UPSTREAMS.map((name) => () => this.check(name));
  }

  private async check(name: Upstream): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(name);
    const probes = await this.upstreams.probeAll(name, '/health/ready', PROBE_TIMEOUT_MS);
    const instances = Object.fromEntries(probes.map((p) => [p.instance, stateOf(p)]));
    if (probes.some((p) => p.result.ok)) return indicator.up({ instances });
    const reason = probes.length === 1 && !probes[0].result.ok ? probes[0].result.reason : `none of its ${probes.length} instances is ready`;
    return indicator.down({ reason, instances });
  }
}

function stateOf({ result }: InstanceProbe): Record<string, unknown> {
  if (result.ok) return { status: 'up' };
  return result.details === undefined ? { status: 'down', reason: result.reason } : { status: 'down', reason: result.reason, failing: result.details };
}
