import { Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { Upstream, UPSTREAMS } from '../config/upstreams';
import { ReadinessChecks } from '../shared/observability/health';
import { UpstreamClient } from '../upstream/upstream-client';

/** A service that has not answered its own readiness within this is reported down. */
export const PROBE_TIMEOUT_MS = 1500;

/** Ready = every service behind the gateway says it is ready (its own DB and Kafka included). */
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
    const probe = await this.upstreams.probe(name, '/health/ready', PROBE_TIMEOUT_MS);
    if (probe.ok) return indicator.up();
    return indicator.down(probe.details === undefined ? { reason: probe.reason } : { reason: probe.reason, failing: probe.details });
  }
}
