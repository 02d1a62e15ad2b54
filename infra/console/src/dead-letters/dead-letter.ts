import { ConsoleMessage, headerText, messageId } from '../messages/console-message';
import { DLQ_HEADERS, REDRIVE_HEADERS } from '../shared/kafka/dead-letter-headers';

/** A parked message, with where it came from and why, as its headers say. */
export interface DeadLetter {
  readonly id: string;
  readonly message: ConsoleMessage;
  readonly reason: string | null;
  readonly originalTopic: string | null;
  readonly originalPartition: number | null;
  readonly originalOffset: number | null;
  readonly failedConsumer: string | null;
  readonly failedAt: string | null;
  /** Ids (`topic/partition/offset`) of the copies sent back to the original topic. */
  readonly redrives: readonly string[];
}

export function deadLetterOf(message: ConsoleMessage, redrives: readonly string[]): DeadLetter {
  const text = (name: string) => headerText(message.headers, name) ?? null;
  const num = (name: string) => {
    const value = text(name);
    return value !== null && /^\d+$/.test(value) ? Number(value) : null;
  };
  return {
    id: messageId(message),
    message,
    reason: text(DLQ_HEADERS.reason),
    originalTopic: text(DLQ_HEADERS.originalTopic),
    originalPartition: num(DLQ_HEADERS.originalPartition),
    originalOffset: num(DLQ_HEADERS.originalOffset),
    failedConsumer: text(DLQ_HEADERS.consumer),
    failedAt: text(DLQ_HEADERS.failedAt),
    redrives,
  };
}

const PARKING_HEADERS = new Set<string>(Object.values(DLQ_HEADERS));
const REDRIVE_HEADER_NAMES = new Set<string>(Object.values(REDRIVE_HEADERS));

/**
 * The headers the message had before it was parked (trace context, request id, and any earlier
 * redrive's marks dropped, since this redrive writes its own).
 */
export function originalHeaders(dead: DeadLetter): Array<readonly [string, Buffer]> {
  return dead.message.headers.filter(([name]) => !PARKING_HEADERS.has(name) && !REDRIVE_HEADER_NAMES.has(name));
}
