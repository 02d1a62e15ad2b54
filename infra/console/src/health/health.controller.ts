import { Controller, Get, Header, ServiceUnavailableException } from '@nestjs/common';
import { Public } from '../auth/public.decorator';
import { AdminConnection } from '../kafka/admin-connection';
import { MessageIndex } from '../kafka/message-index';
import { ConsoleMetrics } from '../metrics/console-metrics';

@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly admin: AdminConnection,
    private readonly index: MessageIndex,
    private readonly metrics: ConsoleMetrics,
  ) {}

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  /** Ready = Kafka answers and the index is reading. */
  @Get('health/ready')
  async ready() {
    try {
      await this.admin.use((a) => a.describeCluster());
    } catch (error) {
      throw new ServiceUnavailableException(`Kafka unreachable: ${(error as Error).message}`);
    }
    if (this.index.problem) throw new ServiceUnavailableException(this.index.problem);
    return { status: 'ok', kafka: 'up', index: 'reading' };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
