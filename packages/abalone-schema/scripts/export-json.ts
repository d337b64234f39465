// Writes schema.json (what the Python step scripts' test compares against).
import { writeFileSync } from 'fs';
import { resolve } from 'path';
import { abaloneSchemaJson } from '../src';

writeFileSync(
  resolve(__dirname, '..', 'schema.json'),
  `${JSON.stringify(abaloneSchemaJson(), null, 2)}\n`,
);
