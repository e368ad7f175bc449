// One Jest run for unit, integration and browser tests (see STACK.md: CommonJS mode, with
// @swc/jest also compiling the ESM-only @nestjs packages).
const swcrc = require('./server/.swcrc.json');

const transform = {
  '^.+\\.ts$': ['@swc/jest', { ...swcrc, jsc: { ...swcrc.jsc, baseUrl: __dirname } }],
  '^.+\\.m?js$': ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
};

const common = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  transform,
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|content-disposition)/)'],
  moduleNameMapper: { '^@switchboard/contracts$': '<rootDir>/libs/contracts/src/index.ts' },
  rootDir: __dirname,
};

module.exports = {
  // Integration and browser tests wait for events from real servers (Jest reads this at the top level only).
  testTimeout: 30_000,
  globalSetup: '<rootDir>/server/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/server/test/support/global-teardown.ts',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/server/src/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/server/test/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'] },
  ],
};
