/**
 * The portal backend's least-privilege IAM policy, read from the JSON block
 * in plugins/mlops-backend/docs/aws.md (the document users copy it from), so
 * tests check the policy people actually deploy.
 *
 *   node scripts/aws-models/portal-policy.cjs   → JSON list of the policy's actions
 */
const fs = require('node:fs');
const path = require('node:path');

const DOC = path.join(
  __dirname,
  '..',
  '..',
  'plugins',
  'mlops-backend-module-aws',
  'docs',
  'aws.md',
);
const HEADING = '## Least-privilege IAM policy';

/** The policy document (parsed JSON) of the first ```json block after the policy heading. */
function readPortalPolicy(file = DOC) {
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(HEADING);
  if (start < 0) throw new Error(`${file}: no "${HEADING}" section`);
  const block = text.slice(start).match(/```json\n([\s\S]*?)\n```/);
  if (!block) throw new Error(`${file}: no json block under "${HEADING}"`);
  try {
    return JSON.parse(block[1]);
  } catch (e) {
    throw new Error(`${file}: the IAM policy block is not JSON: ${e.message}`);
  }
}

const asArray = v => (Array.isArray(v) ? v : [v]);

/** Sorted, unique "service:Action" names the policy allows. */
function portalPolicyActions(policy = readPortalPolicy()) {
  const actions = policy.Statement.filter(s => s.Effect === 'Allow').flatMap(
    s => asArray(s.Action),
  );
  return [...new Set(actions)].sort();
}

/** Whether an Allow statement grants `action` (IAM matches action names case-insensitively, with * wildcards). */
function allowsAction(action, policy = readPortalPolicy()) {
  return portalPolicyActions(policy).some(pattern =>
    new RegExp(
      `^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
      'i',
    ).test(action),
  );
}

module.exports = { readPortalPolicy, portalPolicyActions, allowsAction, DOC };

if (require.main === module) {
  process.stdout.write(`${JSON.stringify(portalPolicyActions(), null, 2)}\n`);
}
