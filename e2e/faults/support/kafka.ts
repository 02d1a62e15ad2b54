// Straight to the faults stack's broker (see ../../support/system-kafka.ts).
import { Message } from 'kafkajs';
import { SystemTopics } from '../../support/system-kafka';
import { KAFKA_BROKER } from './harness';

export { GROUPS, distinctEvents, type TopicMessage } from '../../support/system-kafka';

const topics = new SystemTopics([KAFKA_BROKER], 'fault-suite');

export const closeKafka = () => topics.close();
/** Forgets clients connected to a broker that was stopped since. */
export const resetKafkaClients = () => topics.close();
export const publish = (topic: string, messages: Message[]) => topics.publish(topic, messages);
export const endOffsets = (topic: string) => topics.endOffsets(topic);
/** Sum of the high watermarks: how many messages the topic ever got (the stack starts empty). */
export const messageCount = (topic: string) => topics.messageCount(topic);
export const committedOffsets = (groupId: string, topic: string) => topics.committedOffsets(groupId, topic);
export const describeGroup = (groupId: string) => topics.describeGroup(groupId);
export const readTopics = (names: string[], timeoutMs?: number) => topics.readTopics(names, timeoutMs);
