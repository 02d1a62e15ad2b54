import { ClusterService } from '../cluster/cluster.service';
import { MessageIndex } from '../kafka/message-index';
import { ConsoleMessage } from '../messages/console-message';
import { oldestFirst } from '../messages/message-filter';

export interface StoryEvent {
  readonly message: ConsoleMessage;
  /** Groups whose committed offset is past this message: they have processed it. */
  readonly processedBy: readonly string[];
}

export interface Story {
  readonly id: string;
  readonly by: 'traceId' | 'requestId';
  readonly events: readonly StoryEvent[];
  readonly traceIds: readonly string[];
  /** Jaeger links per trace id, when JAEGER_UI_URL is set. */
  readonly traceLinks: readonly string[];
}

const TRACE_ID = /^[\da-f]{32}$/i;

/** Every event of one request (by requestId) or one trace (by trace id), across all topics, in time order. */
export class StoryService {
  constructor(
    private readonly index: MessageIndex,
    private readonly cluster: ClusterService,
    private readonly jaegerUiUrl: string | null,
  ) {}

  async tell(id: string): Promise<Story> {
    const by = TRACE_ID.test(id) ? 'traceId' : 'requestId';
    const wanted = by === 'traceId' ? id.toLowerCase() : id;
    const messages = this.index.all().filter((m) => (by === 'traceId' ? m.traceId === wanted : m.requestId === wanted)).sort(oldestFirst);
    const committed = messages.length > 0 ? await this.cluster.committedOffsets() : new Map();
    const events = messages.map((message) => ({
      message,
      processedBy: [...committed.entries()]
        .filter(([, offsets]) => (offsets.get(`${message.topic}/${message.partition}`) ?? -1) > message.offset)
        .map(([group]) => group)
        .sort(),
    }));
    const traceIds = [...new Set(messages.map((m) => m.traceId).filter((t): t is string => t !== null))];
    const traceLinks = this.jaegerUiUrl ? traceIds.map((t) => `${this.jaegerUiUrl}/trace/${t}`) : [];
    return { id, by, events, traceIds, traceLinks };
  }
}
