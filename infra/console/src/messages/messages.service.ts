import { MessageIndex } from '../kafka/message-index';
import { ConsoleMessage } from './console-message';
import { MessageFilter, matchesFilter, newestFirst } from './message-filter';

export interface MessagePage {
  readonly total: number;
  readonly messages: readonly ConsoleMessage[];
}

/** Messages of the index, filtered, newest first. */
export class MessagesService {
  constructor(private readonly index: MessageIndex) {}

  list(filter: MessageFilter, limit: number): MessagePage {
    if (filter.topic !== undefined) this.index.requireTopic(filter.topic);
    const source = filter.topic !== undefined ? this.index.ofTopic(filter.topic) : this.index.all();
    const found = source.filter((m) => matchesFilter(m, filter)).sort(newestFirst);
    return { total: found.length, messages: found.slice(0, limit) };
  }

  one(topic: string, partition: number, offset: number): ConsoleMessage | undefined {
    return this.index.get(topic, partition, offset);
  }
}
