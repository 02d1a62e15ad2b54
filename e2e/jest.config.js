/**
 * Two projects:
 * - repo: checks of the repository itself (compose files, Prometheus config, shared copies); no
 *   infrastructure needed.
 * - flow: tests of the running system; `npm test` starts the four apps on the test ports against the
 *   test stack and passes their URLs (GATEWAY_URL, USER_SERVICE_URL, ...).
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
  ],
};
