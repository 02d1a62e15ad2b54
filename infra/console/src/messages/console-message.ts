import { IHeaders, KafkaMessage } from 'kafkajs';
import { REQUEST_ID_HEADER_NAME, TRACEPARENT } from './header-names';

/** A decoded value: JSON when it parses to an object, otherwise the bytes as they are. */
export type DecodedValue =
  | { readonly kind: 'json'; readonly json: Readonly<Record<string, unknown>> }
  | { readonly kind: 'raw'; readonly bytes: Buffer }
  | { readonly kind: 'empty' };

/** One Kafka message as the console keeps it: the exact bytes, plus what the pages filter on. */
export interface ConsoleMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** In the order they were sent; a name may repeat. */
  readonly headers: ReadonlyArray<readonly [string, Buffer]>;
  readonly decoded: DecodedValue;
  readonly eventId: string | null;
  readonly requestId: string | null;
  readonly traceId: string | null;
}

export const messageId = (m: Pick<ConsoleMessage, 'topic' | 'partition' | 'offset'>): string => `${m.topic}/${m.partition}/${m.offset}`;

/** `topic/partition/offset`, the permalink form; topics may contain dots but not slashes. */
export function parseMessageId(id: string): { topic: string; partition: number; offset: number } | null {
  const match = /^([\w.-]{1,249})\/(\d{1,6})\/(\d{1,19})$/.exec(id);
  return match ? { topic: match[1], partition: Number(match[2]), offset: Number(match[3]) } : null;
}

export function toConsoleMessage(topic: string, partition: number, message: KafkaMessage): ConsoleMessage {
  const headers = headerList(message.headers);
  const decoded = decode(message.value);
  const json = decoded.kind === 'json' ? decoded.json : undefined;
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key ?? null,
    value: message.value ?? null,
    headers,
    decoded,
    eventId: typeof json?.eventId === 'string' ? json.eventId : null,
    requestId: typeof json?.requestId === 'string' ? json.requestId : (headerText(headers, REQUEST_ID_HEADER_NAME) ?? null),
    traceId: traceIdOf(headerText(headers, TRACEPARENT)),
  };
}

/** The first value of a header as text, or undefined. */
export function headerText(headers: ConsoleMessage['headers'], name: string): string | undefined {
  return headers.find(([n]) => n === name)?.[1].toString('utf8');
}

/** W3C traceparent `00-<trace id>-<span id>-<flags>` → the trace id. */
export function traceIdOf(traceparent: string | undefined): string | null {
  const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(traceparent?.trim() ?? '');
  return match ? match[1] : null;
}

function headerList(headers: IHeaders | undefined): Array<readonly [string, Buffer]> {
  const list: Array<readonly [string, Buffer]> = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined) list.push([name, Buffer.isBuffer(one) ? one : Buffer.from(one)]);
    }
  }
  return list;
}

function decode(value: Buffer | null): DecodedValue {
  if (value === null || value.length === 0) return { kind: 'empty' };
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return { kind: 'json', json: parsed as Record<string, unknown> };
    }
  } catch {
    // Not JSON: shown and redriven as the bytes it is.
  }
  return { kind: 'raw', bytes: value };
}
