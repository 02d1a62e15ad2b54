import { Admin, AssignerProtocol } from 'kafkajs';
import { isDeadLetterTopic } from '../dead-letters/dead-letter-topics';
import { AdminConnection } from '../kafka/admin-connection';
import { MessageIndex } from '../kafka/message-index';
import { CommittedOffsets, GroupMemberView, GroupPartitionView, GroupView, TopicView } from './cluster.types';

const RATE_WINDOW_MS = 60000;

/** What the broker says about topics and consumer groups, read with the admin API on each call. */
export class ClusterService {
  constructor(
    private readonly admin: AdminConnection,
    private readonly index: MessageIndex,
    private readonly hiddenGroupPrefix: string,
  ) {}

  async topics(): Promise<TopicView[]> {
    return this.admin.use(async (admin) => {
      const names = (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
      const metadata = await admin.fetchTopicMetadata({ topics: names });
      const since = Date.now() - RATE_WINDOW_MS;
      const views: TopicView[] = [];
      for (const name of names) {
        const offsets = await admin.fetchTopicOffsets(name);
        const leaders = new Map(metadata.topics.find((t) => t.name === name)?.partitions.map((p) => [p.partitionId, p.leader]) ?? []);
        const partitions = offsets
          .map((o) => ({ partition: o.partition, leader: leaders.get(o.partition) ?? -1, earliest: Number(o.low), latest: Number(o.high), messages: Number(o.high) - Number(o.low) }))
          .sort((a, b) => a.partition - b.partition);
        const recent = this.index.ofTopic(name).filter((m) => m.timestamp >= since).length;
        views.push({
          name,
          deadLetter: isDeadLetterTopic(name),
          partitions,
          messages: partitions.reduce((n, p) => n + p.messages, 0),
          messagesPerSecond: Math.round((recent / (RATE_WINDOW_MS / 1000)) * 100) / 100,
        });
      }
      return views;
    });
  }

  async groups(): Promise<GroupView[]> {
    return this.admin.use(async (admin) => {
      const ids = (await admin.listGroups()).groups
        .filter((g) => g.protocolType === 'consumer' || g.protocolType === '')
        .map((g) => g.groupId)
        .filter((id) => !id.startsWith(this.hiddenGroupPrefix))
        .sort();
      if (ids.length === 0) return [];
      const described = (await admin.describeGroups(ids)).groups;
      const latest = new LatestOffsets(admin);
      const views: GroupView[] = [];
      for (const group of described) {
        const partitions = await this.groupPartitions(admin, group.groupId, latest);
        views.push({
          groupId: group.groupId,
          state: group.state,
          members: group.members.map(memberView),
          partitions,
          lag: partitions.reduce((n, p) => n + p.lag, 0),
        });
      }
      return views;
    });
  }

  /** Committed offsets of every group (hidden ones aside), for "which groups have processed this message". */
  async committedOffsets(): Promise<CommittedOffsets> {
    return this.admin.use(async (admin) => {
      const ids = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => !id.startsWith(this.hiddenGroupPrefix));
      const result = new Map<string, Map<string, number>>();
      for (const groupId of ids) {
        const offsets = new Map<string, number>();
        for (const t of await admin.fetchOffsets({ groupId })) {
          for (const p of t.partitions) if (Number(p.offset) >= 0) offsets.set(`${t.topic}/${p.partition}`, Number(p.offset));
        }
        result.set(groupId, offsets);
      }
      return result;
    });
  }

  private async groupPartitions(admin: Admin, groupId: string, latest: LatestOffsets): Promise<GroupPartitionView[]> {
    const rows: GroupPartitionView[] = [];
    for (const t of await admin.fetchOffsets({ groupId })) {
      for (const p of t.partitions) {
        const ends = await latest.of(t.topic);
        const end = ends.get(p.partition) ?? { low: 0, high: 0 };
        const committed = Number(p.offset) >= 0 ? Number(p.offset) : null;
        // Never committed: a group subscribed from the beginning still has everything from `low` to read.
        rows.push({ topic: t.topic, partition: p.partition, committed, latest: end.high, lag: Math.max(0, end.high - (committed ?? end.low)) });
      }
    }
    return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }
}

/** End offsets per topic, fetched once per page. */
class LatestOffsets {
  private readonly cache = new Map<string, Promise<Map<number, { low: number; high: number }>>>();

  constructor(private readonly admin: Admin) {}

  of(topic: string): Promise<Map<number, { low: number; high: number }>> {
    let found = this.cache.get(topic);
    if (!found) {
      found = this.admin.fetchTopicOffsets(topic).then((list) => new Map(list.map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }])));
      this.cache.set(topic, found);
    }
    return found;
  }
}

function memberView(member: { memberId: string; clientId: string; clientHost: string; memberAssignment: Buffer }): GroupMemberView {
  const decoded = member.memberAssignment.length > 0 ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment) : null;
  return { memberId: member.memberId, clientId: member.clientId, host: member.clientHost, assignment: decoded?.assignment ?? {} };
}
