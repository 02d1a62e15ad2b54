import { MessageFilter } from '../messages/message-filter';

export interface DeadLetterFilter extends MessageFilter {
  /** Substring of the reason. */
  readonly reason?: string;
}

export interface RedriveRequest {
  /** Dead letters by id (`topic/partition/offset`), or every one matching `filter`. */
  readonly ids?: readonly string[];
  readonly filter?: DeadLetterFilter;
  readonly dryRun: boolean;
  /** Required to send a dead letter that was redriven before. */
  readonly again: boolean;
}

export interface PlannedRedrive {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The value as text when it is UTF-8 JSON, else base64 of its bytes. */
  readonly value: string | null;
  readonly valueEncoding: 'utf8' | 'base64';
  readonly timesRedrivenBefore: number;
}

export interface SentRedrive {
  readonly id: string;
  /** Where the copy landed: `topic/partition/offset`. */
  readonly sentAs: string;
}

export interface RefusedRedrive {
  readonly id: string;
  readonly reason: string;
}

export interface RedriveResult {
  readonly dryRun: boolean;
  readonly by: string;
  readonly planned: readonly PlannedRedrive[];
  readonly sent: readonly SentRedrive[];
  readonly refused: readonly RefusedRedrive[];
}
