/**
 * Two kinds of test, one run:
 * - unit + infra: pure code, CDK templates; no emulator.
 * - e2e: the web console driven in Debian's chromium (playwright-core), its own platform.
 * - integration + isolation: the real stand-ins (DynamoDB Local, s3rver, the
 *   local Step Functions runner, the scoring gateway), booted once per run by
 *   test/support/global-setup.ts.
 */
const transform = { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const common = {
  transform,
  testEnvironment: '<rootDir>/test/support/shared-realm-environment.ts',
  setupFiles: ['<rootDir>/test/support/env.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // hyparquet ships only ES modules; let swc compile it like our own code.
  transformIgnorePatterns: ['/node_modules/(?!hyparquet/)'],
};
module.exports = {
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'] },
    // The console in headless Chromium against the platform as `npm start` runs it (it starts its own).
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/isolation/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
