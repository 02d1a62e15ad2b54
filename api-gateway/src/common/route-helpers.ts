import { UuidParamPipe } from '../shared/validation/uuid';

/** Path ids are uuids: anything else is a 400 here, before a service is asked. */
export const UUID = new UuidParamPipe();

/** Documented on every list: the total number of rows, whatever limit and offset select. */
export const TOTAL_COUNT = {
  'X-Total-Count': { description: 'Total number of matching rows (the body holds one page)', schema: { type: 'integer', example: 42 } },
} as const;
