import { Counter, register } from 'prom-client';

const NAME = 'users_created_total';

/**
 * Users created through POST /users (committed, with their user.created event). prom-client's
 * registry is global and tests build several apps in one process: an existing counter is reused.
 */
export const usersCreated =
  (register.getSingleMetric(NAME) as Counter | undefined) ??
  new Counter({ name: NAME, help: 'Users created through POST /users, counted once their row and user.created event committed.' });
