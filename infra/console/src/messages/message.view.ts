import { ConsoleMessage, messageId } from './console-message';

/** A message as the JSON API and the pages show it. */
export interface MessageView {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed envelope, or null when the value is not a JSON object. */
  readonly value: Readonly<Record<string, unknown>> | null;
  /** The value's bytes (base64) when it is not JSON. */
  readonly rawValue: string | null;
  readonly eventId: string | null;
  readonly requestId: string | null;
  readonly traceId: string | null;
  readonly link: string;
}

export function messageView(m: ConsoleMessage): MessageView {
  const id = messageId(m);
  const headers: Record<string, string> = {};
  for (const [name, value] of m.headers) headers[name] = name in headers ? `${headers[name]}, ${value.toString('utf8')}` : value.toString('utf8');
  return {
    id,
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    timestamp: new Date(m.timestamp).toISOString(),
    key: m.key?.toString('utf8') ?? null,
    headers,
    value: m.decoded.kind === 'json' ? m.decoded.json : null,
    rawValue: m.decoded.kind === 'raw' ? m.decoded.bytes.toString('base64') : null,
    eventId: m.eventId,
    requestId: m.requestId,
    traceId: m.traceId,
    link: `/messages/${id}`,
  };
}
