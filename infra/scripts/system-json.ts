/**
 * Prints the system.json the step scripts read (the resolved schema, split,
 * gate) for a spec file, exactly as the CDK app deploys it.
 *   npx tsx scripts/system-json.ts <ml-system.yaml> [data file to infer unlisted columns]
 */
import { loadSystem, systemDocument } from '../lib/spec';

const [specFile, dataFile] = process.argv.slice(2);
if (!specFile) {
  console.error('usage: system-json.ts <ml-system.yaml> [data file]');
  process.exit(2);
}
try {
  process.stdout.write(
    `${JSON.stringify(systemDocument(loadSystem(specFile, dataFile)), null, 2)}\n`,
  );
} catch (e) {
  console.error(`system-json: ${(e as Error).message}`);
  process.exit(1);
}
