// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import topicsFile from './topics.json';

/** Every topic the system uses. The local stack creates the same list (it reads topics.json). */
export const Topics = {
  UserCreated: 'user.created',
  UserDeleted: 'user.deleted',
  OrderCreated: 'order.created',
  PaymentCompleted: 'payment.completed',
  PaymentFailed: 'payment.failed',
  OrderCancelled: 'order.cancelled',
  OrderExpired: 'order.expired',
  RefundRequested: 'order.refund-requested',
  PaymentRefunded: 'payment.refunded',
  PaymentRefundFailed: 'payment.refund-failed',
} as const satisfies typeof topicsFile.topics;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const TOPIC_PARTITIONS = topicsFile.partitions;

/** Where a message that cannot be processed is parked, with the reason in its headers. */
export function deadLetterTopicOf(topic: Topic): string {
  return `${topic}${topicsFile.deadLetterSuffix}`;
}
