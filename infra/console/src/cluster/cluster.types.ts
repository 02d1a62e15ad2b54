export interface PartitionView {
  readonly partition: number;
  readonly leader: number;
  readonly earliest: number;
  readonly latest: number;
  readonly messages: number;
}

export interface TopicView {
  readonly name: string;
  readonly deadLetter: boolean;
  readonly partitions: readonly PartitionView[];
  readonly messages: number;
  /** Over the last minute, from the messages' timestamps. */
  readonly messagesPerSecond: number;
}

export interface GroupPartitionView {
  readonly topic: string;
  readonly partition: number;
  /** Next offset the group will read; null when it never committed on this partition. */
  readonly committed: number | null;
  readonly latest: number;
  readonly lag: number;
}

export interface GroupMemberView {
  readonly memberId: string;
  readonly clientId: string;
  readonly host: string;
  readonly assignment: Readonly<Record<string, readonly number[]>>;
}

export interface GroupView {
  readonly groupId: string;
  readonly state: string;
  readonly members: readonly GroupMemberView[];
  readonly partitions: readonly GroupPartitionView[];
  readonly lag: number;
}

/** Next offset each group will read, per `topic/partition`. */
export type CommittedOffsets = ReadonlyMap<string, ReadonlyMap<string, number>>;
