/** Jest for the CDK app: ts-jest, tests under test/ and next to Lambda code. */
module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test', '<rootDir>/lambda'],
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/lambda/**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/cdk.out/'],
  // beforeAll synthesizes the whole app (bundling + cdk-nag): ~30 s idle,
  // over a minute on a busy shared 2-core box.
  testTimeout: 300000,
};
