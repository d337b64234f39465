/**
 * Prints the catalog-info.yaml annotations and app-config for the portal's
 * aws engine from `cdk deploy --all --outputs-file cdk-outputs.json`.
 *   npx tsx scripts/portal-snippet.ts [cdk-outputs.json]
 */
import { readFileSync } from 'fs';
import { portalSnippet } from '../lib/portal-snippet';

const file = process.argv[2] ?? 'cdk-outputs.json';
try {
  process.stdout.write(portalSnippet(JSON.parse(readFileSync(file, 'utf8'))));
} catch (e) {
  console.error(`portal-snippet: ${file}: ${(e as Error).message}`);
  process.exit(1);
}
