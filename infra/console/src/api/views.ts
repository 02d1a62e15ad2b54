import { DeadLetter } from '../dead-letters/dead-letter';
import { messageView, MessageView } from '../messages/message.view';
import { Story } from '../story/story.service';

export interface DeadLetterView {
  readonly id: string;
  readonly reason: string | null;
  readonly originalTopic: string | null;
  readonly originalPartition: number | null;
  readonly originalOffset: number | null;
  readonly failedConsumer: string | null;
  readonly failedAt: string | null;
  readonly redriveCount: number;
  readonly redrives: readonly string[];
  readonly message: MessageView;
}

export const deadLetterView = (d: DeadLetter): DeadLetterView => ({
  id: d.id,
  reason: d.reason,
  originalTopic: d.originalTopic,
  originalPartition: d.originalPartition,
  originalOffset: d.originalOffset,
  failedConsumer: d.failedConsumer,
  failedAt: d.failedAt,
  redriveCount: d.redrives.length,
  redrives: d.redrives,
  message: messageView(d.message),
});

export const storyView = (s: Story) => ({
  id: s.id,
  by: s.by,
  traceIds: s.traceIds,
  traceLinks: s.traceLinks,
  events: s.events.map((e) => ({ ...messageView(e.message), processedBy: e.processedBy })),
});
