import { ClusterService } from '../cluster/cluster.service';
import { ConsoleConfig } from '../config/console-config';
import { DeadLettersService } from '../dead-letters/dead-letters.service';
import { AdminConnection } from '../kafka/admin-connection';
import { consoleKafka, readerGroupPrefix } from '../kafka/console-kafka';
import { MessageIndex } from '../kafka/message-index';
import { MessagesService } from '../messages/messages.service';
import { ConsoleMetrics } from '../metrics/console-metrics';
import { StoryService } from '../story/story.service';

/** Everything the console does, without HTTP: the web app and `npm run dlq` compose the same parts. */
export interface ConsoleCore {
  readonly config: ConsoleConfig;
  readonly admin: AdminConnection;
  readonly index: MessageIndex;
  readonly cluster: ClusterService;
  readonly messages: MessagesService;
  readonly story: StoryService;
  readonly deadLetters: DeadLettersService;
  readonly metrics: ConsoleMetrics;
  close(): Promise<void>;
}

export function composeConsole(config: ConsoleConfig, role: 'web' | 'cli'): ConsoleCore {
  const kafka = consoleKafka(config, role);
  const admin = new AdminConnection(kafka);
  const index = new MessageIndex(kafka, () => admin.get(), readerGroupPrefix(config), config.maxMessagesPerPartition);
  const cluster = new ClusterService(admin, index, readerGroupPrefix(config));
  const metrics = new ConsoleMetrics(cluster);
  const deadLetters = new DeadLettersService(kafka, index, (topic) => metrics.redrivenTo(topic));
  return {
    config,
    admin,
    index,
    cluster,
    metrics,
    deadLetters,
    messages: new MessagesService(index),
    story: new StoryService(index, cluster, config.jaegerUiUrl),
    async close() {
      await index.stop();
      await deadLetters.close();
      await admin.close();
    },
  };
}
