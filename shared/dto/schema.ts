// Copied from the repo's shared/ folder by `npm run sync:shared`; edit it there, never in a service.
import { UUID_PATTERN } from '../validation/uuid';

/** A uuid as the documents state it: the format, and the exact syntax the validators accept. */
export const UUID_SCHEMA = { format: 'uuid', pattern: UUID_PATTERN.source } as const;
