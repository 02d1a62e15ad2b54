// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.

/** Headers a dead letter carries besides the original ones: why it was parked, and from where. */
export const DLQ_HEADERS = {
  reason: 'x-dead-letter-reason',
  originalTopic: 'x-original-topic',
  originalPartition: 'x-original-partition',
  originalOffset: 'x-original-offset',
  consumer: 'x-failed-consumer',
  failedAt: 'x-failed-at',
} as const;

/**
 * Headers a redriven message carries on its original topic. `redriveOf` names the dead letter
 * (`<dead-letter topic>/<partition>/<offset>`), so how often one was redriven is read from the topic
 * itself, and a message parked again keeps its history.
 */
export const REDRIVE_HEADERS = {
  redriveOf: 'x-redrive-of',
  redrivenAt: 'x-redriven-at',
  redrivenBy: 'x-redriven-by',
} as const;
