import topicsFile from '../shared/events/topics.json';

export const DEAD_LETTER_SUFFIX = topicsFile.deadLetterSuffix;

export const isDeadLetterTopic = (topic: string): boolean => topic.endsWith(DEAD_LETTER_SUFFIX);

/** `user.created.dlq` → `user.created`. */
export const originOfDeadLetterTopic = (topic: string): string => topic.slice(0, topic.length - DEAD_LETTER_SUFFIX.length);
