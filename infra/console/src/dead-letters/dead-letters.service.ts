import { Logger } from '@nestjs/common';
import { IHeaders, Kafka, Partitioners, Producer } from 'kafkajs';
import { MessageIndex } from '../kafka/message-index';
import { headerText, messageId, parseMessageId } from '../messages/console-message';
import { matchesFilter, newestFirst } from '../messages/message-filter';
import { REDRIVE_HEADERS } from '../shared/kafka/dead-letter-headers';
import { isDeadLetterTopic, originOfDeadLetterTopic } from './dead-letter-topics';
import { DeadLetter, deadLetterOf, originalHeaders } from './dead-letter';
import { DeadLetterFilter, PlannedRedrive, RedriveRequest, RedriveResult, RefusedRedrive, SentRedrive } from './redrive.types';

export class UnknownDeadLetterError extends Error {}
export class BadRedriveRequestError extends Error {}

/** Called once per message sent back, with its original topic (the redrive counter). */
export type RedriveListener = (originalTopic: string) => void;

/**
 * Dead letters and their redrive. How often one was redriven is read from its original topic (each
 * copy carries `x-redrive-of`), joined with what this process sent and the index has not read yet:
 * the count is right across restarts, for the CLI as for the console.
 */
export class DeadLettersService {
  private readonly logger = new Logger(DeadLettersService.name);
  private readonly sentHere = new Map<string, Set<string>>();
  private producer: Promise<Producer> | null = null;
  /** One redrive at a time, so two clicks cannot both pass the "already redriven" check. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly index: MessageIndex,
    private readonly onRedriven: RedriveListener = () => undefined,
  ) {}

  list(filter: DeadLetterFilter): DeadLetter[] {
    if (filter.topic !== undefined && !isDeadLetterTopic(filter.topic)) {
      throw new BadRedriveRequestError(`topic ${filter.topic} is not a dead-letter topic`);
    }
    if (filter.topic !== undefined) this.index.requireTopic(filter.topic, isDeadLetterTopic);
    const redrives = this.redrivesByDeadLetter();
    return this.index
      .all()
      .filter((m) => isDeadLetterTopic(m.topic) && matchesFilter(m, filter))
      .sort(newestFirst)
      .map((m) => deadLetterOf(m, [...(redrives.get(messageId(m)) ?? [])]))
      .filter((d) => filter.reason === undefined || (d.reason ?? '').toLowerCase().includes(filter.reason.toLowerCase()));
  }

  one(id: string): DeadLetter {
    const at = parseMessageId(id);
    const message = at && isDeadLetterTopic(at.topic) ? this.index.get(at.topic, at.partition, at.offset) : undefined;
    if (!message) throw new UnknownDeadLetterError(`no dead letter ${id} (a dead-letter topic/partition/offset the console has read)`);
    return deadLetterOf(message, [...(this.redrivesByDeadLetter().get(id) ?? [])]);
  }

  redrive(request: RedriveRequest, by: string): Promise<RedriveResult> {
    const run = this.queue.then(() => this.redriveNow(request, by));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const producer = await this.producer?.catch(() => null);
    await producer?.disconnect().catch(() => undefined);
  }

  private async redriveNow(request: RedriveRequest, by: string): Promise<RedriveResult> {
    const selected = this.select(request);
    const refused: RefusedRedrive[] = [];
    const planned: Array<{ plan: PlannedRedrive; dead: DeadLetter; headers: Array<readonly [string, Buffer]> }> = [];
    for (const dead of selected) {
      const why = this.refusal(dead, request.again);
      if (why) {
        refused.push({ id: dead.id, reason: why });
        continue;
      }
      const headers = [
        ...originalHeaders(dead),
        [REDRIVE_HEADERS.redriveOf, Buffer.from(dead.id)],
        [REDRIVE_HEADERS.redrivenAt, Buffer.from(new Date().toISOString())],
        [REDRIVE_HEADERS.redrivenBy, Buffer.from(by)],
      ] as Array<readonly [string, Buffer]>;
      planned.push({ dead, headers, plan: planOf(dead, headers) });
    }
    const sent: SentRedrive[] = [];
    if (!request.dryRun) {
      for (const { dead, headers, plan } of planned) sent.push(await this.send(dead, plan, headers));
      if (sent.length > 0 || refused.length > 0) {
        const detail = [...sent.map((x) => `${x.id} -> ${x.sentAs}`), ...refused.map((x) => `${x.id} refused`)].join(', ');
        this.logger.log(`redrive by ${by}: ${sent.length} sent, ${refused.length} refused (${detail})`);
      }
    }
    return { dryRun: request.dryRun, by, planned: planned.map((p) => p.plan), sent, refused };
  }

  private select(request: RedriveRequest): DeadLetter[] {
    if ((request.ids === undefined) === (request.filter === undefined)) {
      throw new BadRedriveRequestError('name the dead letters to redrive (ids) or a filter, not both');
    }
    if (request.ids !== undefined) {
      if (request.ids.length === 0) throw new BadRedriveRequestError('ids is empty: select at least one dead letter');
      return [...new Set(request.ids)].map((id) => this.one(id)).sort((a, b) => -newestFirst(a.message, b.message));
    }
    // Oldest first: messages of one key go back in the order they were parked.
    return this.list(request.filter ?? {}).reverse();
  }

  private refusal(dead: DeadLetter, again: boolean): string | null {
    if (dead.originalTopic === null || dead.originalPartition === null) return 'it does not say where it came from (no x-original-topic / x-original-partition header)';
    if (dead.originalTopic !== originOfDeadLetterTopic(dead.message.topic)) {
      return `its x-original-topic (${dead.originalTopic}) is not the topic of ${dead.message.topic}`;
    }
    if (dead.redrives.length > 0 && !again) {
      return `already redriven ${dead.redrives.length} time(s) (${dead.redrives.join(', ')}); redrive it "again" to send it once more`;
    }
    return null;
  }

  private async send(dead: DeadLetter, plan: PlannedRedrive, headers: Array<readonly [string, Buffer]>): Promise<SentRedrive> {
    const producer = await this.connectedProducer();
    const kafkaHeaders: IHeaders = {};
    for (const [name, value] of headers) {
      const existing = kafkaHeaders[name];
      kafkaHeaders[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    // Its original partition, so it queues behind the same key's other messages, where it first failed.
    const [meta] = await producer.send({
      topic: plan.topic,
      acks: -1,
      messages: [{ partition: plan.partition, key: dead.message.key, value: dead.message.value, headers: kafkaHeaders }],
    });
    const sentAs = `${plan.topic}/${meta.partition}/${meta.baseOffset ?? meta.offset}`;
    const mine = this.sentHere.get(dead.id) ?? new Set<string>();
    mine.add(sentAs);
    this.sentHere.set(dead.id, mine);
    this.onRedriven(plan.topic);
    return { id: dead.id, sentAs };
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return producer;
    })();
    this.producer.catch(() => (this.producer = null));
    return this.producer;
  }

  /** dead letter id → ids of its copies on the original topic. */
  private redrivesByDeadLetter(): Map<string, Set<string>> {
    const found = new Map<string, Set<string>>();
    for (const [id, sent] of this.sentHere) found.set(id, new Set(sent));
    for (const m of this.index.all()) {
      if (isDeadLetterTopic(m.topic)) continue;
      const of = headerText(m.headers, REDRIVE_HEADERS.redriveOf);
      if (of === undefined) continue;
      const set = found.get(of) ?? new Set<string>();
      set.add(messageId(m));
      found.set(of, set);
    }
    return found;
  }
}

function planOf(dead: DeadLetter, headers: Array<readonly [string, Buffer]>): PlannedRedrive {
  const shown: Record<string, string> = {};
  for (const [name, value] of headers) shown[name] = value.toString('utf8');
  const value = dead.message.value;
  const utf8 = dead.message.decoded.kind === 'json';
  return {
    id: dead.id,
    topic: dead.originalTopic ?? '',
    partition: dead.originalPartition ?? 0,
    key: dead.message.key?.toString('utf8') ?? null,
    headers: shown,
    value: value === null ? null : utf8 ? value.toString('utf8') : value.toString('base64'),
    valueEncoding: utf8 ? 'utf8' : 'base64',
    timesRedrivenBefore: dead.redrives.length,
  };
}
