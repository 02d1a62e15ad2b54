/**
 * Unit tests sit beside the code (*.spec.ts). The gateway owns no database and no Kafka: its
 * HTTP tests build the real app in-process against local fake services, so one project is enough.
 */
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
      setupFilesAfterEnv: ['<rootDir>/test/support/jest-timeout.ts'],
    },
  ],
};
