/** Unit tests sit beside the code (*.spec.ts); integration tests use real PostgreSQL and Kafka. */
const transform = {
  '^.+\\.ts$': [require.resolve('ts-jest'), { tsconfig: require('node:path').join(__dirname, 'tsconfig.json') }],
};

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform,
      setupFiles: [require.resolve('reflect-metadata')],
    },
    {
      // shared/ is tested once, here, with this app's dependencies.
      displayName: 'shared',
      testEnvironment: 'node',
      rootDir: require('node:path').resolve(__dirname, '../shared'),
      testMatch: ['<rootDir>/**/*.spec.ts'],
      modulePaths: [require('node:path').resolve(__dirname, 'node_modules')],
      transform,
      setupFiles: [require.resolve('reflect-metadata')],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      transform,
      setupFiles: [require.resolve('reflect-metadata')],
      setupFilesAfterEnv: ['<rootDir>/test/integration/env.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.mjs',
      globalTeardown: '<rootDir>/test/integration/global-teardown.mjs',
    },
  ],
};
