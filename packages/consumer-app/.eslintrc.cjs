// Backstage's ESLint config for web packages, as the rest of the repo uses.
// This app has no backstage.role (it is not a Backstage package), so the role
// is named here. Node built-ins are fine in tests, e2e and the Node server.
const { createConfigForRole } = require('@backstage/cli/config/eslint-factory');

module.exports = createConfigForRole(__dirname, 'web-library', {
  ignorePatterns: ['dist/', 'test-results/', 'serve.mjs'],
  overrides: [
    {
      files: ['e2e/**', 'vite.config.ts'],
      rules: { 'no-restricted-imports': 'off' },
    },
  ],
});
