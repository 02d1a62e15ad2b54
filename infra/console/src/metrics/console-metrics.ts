import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { ClusterService } from '../cluster/cluster.service';
import { originOfDeadLetterTopic } from '../dead-letters/dead-letter-topics';

/**
 * The console's /metrics. Both series are labelled with the original topic (`user.created`), as the
 * services' kafka_messages_dead_lettered_total is, so one panel lines up parked, held and redriven.
 */
export class ConsoleMetrics {
  readonly registry = new Registry();
  private readonly redriven: Counter<'topic'>;

  constructor(cluster: ClusterService) {
    collectDefaultMetrics({ register: this.registry });
    this.redriven = new Counter({
      name: 'dead_letter_redriven_total',
      help: 'Dead letters sent back to their original topic by the console or npm run dlq',
      labelNames: ['topic'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'dead_letter_depth_messages',
      help: 'Messages held in the dead-letter topic of each topic (latest minus earliest offset)',
      labelNames: ['topic'],
      registers: [this.registry],
      async collect() {
        this.reset();
        // Kafka down: the gauge is left empty rather than failing the whole scrape.
        const topics = await cluster.topics().catch(() => []);
        for (const t of topics.filter((x) => x.deadLetter)) this.set({ topic: originOfDeadLetterTopic(t.name) }, t.messages);
      },
    });
  }

  redrivenTo(topic: string): void {
    this.redriven.inc({ topic });
  }
}
