/**
 * Four projects:
 * - repo: checks of the repository itself (compose files, Prometheus config, shared copies); no
 *   infrastructure needed.
 * - flow: tests of the running system; `npm test` starts the four apps on the test ports against the
 *   test stack and passes their URLs (GATEWAY_URL, USER_SERVICE_URL, ...).
 * - run: each way the README runs the system (start:dev, npm start, killed runs and infra:stop).
 * - faults: the fault suite (`npm run test:faults`); brings up its own stack and apps.
 * - cluster: the cluster fault suite (`npm run test:cluster`); brings up the cluster profile.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };

module.exports = {
  projects: [
    {
      displayName: 'repo',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/repo/**/*.spec.ts'],
      transform,
    },
    {
      displayName: 'flow',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/flow/**/*.e2e-spec.ts'],
      transform,
      testTimeout: 60000,
    },
    {
      // Every way the README runs the system, run that way: `npm run start:dev` in each app folder
      // (against the test stack), `npm start` with the user's settings, killed runs cleaned up by
      // `npm run infra:stop`. Started by `npm test` while the test stack is up; --runInBand.
      displayName: 'run',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/run/**/*.run-spec.ts'],
      transform,
      testTimeout: 120000,
    },
    {
      // Faults, redelivery, poison, bad input and a soak, on a stack of their own (faults profile)
      // with the four built apps, started once by global-setup.ts. Run with --runInBand: every file
      // stops and restarts parts of that one system. Timeouts are set in each file.
      displayName: 'faults',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/faults/**/*.fault-spec.ts'],
      transform,
      globalSetup: '<rootDir>/faults/global-setup.ts',
      globalTeardown: '<rootDir>/faults/global-teardown.ts',
    },
    {
      // Brokers and app instances killed, paused and restarted under steady load, on the cluster
      // profile (3 brokers, 2 instances of every app, nginx on 3005) started once by
      // global-setup.ts. Run with --runInBand: every file breaks parts of that one cluster.
      displayName: 'cluster',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/cluster/**/*.cluster-spec.ts'],
      transform,
      globalSetup: '<rootDir>/cluster/global-setup.ts',
      globalTeardown: '<rootDir>/cluster/global-teardown.ts',
    },
  ],
};
