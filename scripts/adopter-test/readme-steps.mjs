// The install steps of the plugin READMEs, as the adopter test executes them.
//
// A README marks a fenced block for the test with an HTML comment on the line
// before it, so the README and the test cannot drift:
//
//   <!-- adopter-test: run -->                      ```sh block: each line runs with bash in the app root
//   <!-- adopter-test: insert-before "<anchor>" --> block whose first line is a comment naming the file
//                                                   (`// packages/backend/src/index.ts`); the other lines
//                                                   go in before the first line containing <anchor>
//   <!-- adopter-test: append -->                   block whose first line is a comment naming the file
//                                                   (`# app-config.yaml`); the other lines go at its end
//
// Usage: node readme-steps.mjs list <README...>        print the steps
//        node readme-steps.mjs apply <appDir> <README...>
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const MARKER =
  /^<!--\s*adopter-test:\s*(run|insert-before|append)(?:\s+"([^"]+)")?\s*-->\s*$/;
const FENCE = /^```/;
// `// file` (ts) or `# file` (yaml, sh): the block's target file
const FILE_COMMENT = /^(?:\/\/|#)\s*(\S+)\s*$/;

/** Marked blocks of one README, in order: { kind, anchor?, file?, lines, source }. */
export function extractSteps(markdown, source = 'README') {
  const lines = markdown.split('\n');
  const steps = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = lines[i].match(MARKER);
    if (!marker) continue;
    const where = `${source}:${i + 1}`;
    // Prettier keeps a blank line between the comment and the fence
    let open = i + 1;
    while (lines[open]?.trim() === '') open++;
    if (!FENCE.test(lines[open] ?? '')) {
      throw new Error(
        `${where}: an adopter-test marker must be followed by a fenced code block`,
      );
    }
    const end = lines.findIndex((l, j) => j > open && FENCE.test(l));
    if (end < 0)
      throw new Error(
        `${where}: the code block after the marker is not closed`,
      );
    const body = lines.slice(open + 1, end);
    const [kind, anchor] = [marker[1], marker[2]];
    if (kind === 'insert-before' && !anchor) {
      throw new Error(
        `${where}: insert-before needs an anchor, e.g. insert-before "backend.start();"`,
      );
    }
    if (kind === 'run') {
      steps.push({
        kind,
        lines: body.filter(l => l.trim() && !l.trim().startsWith('#')),
        source: where,
      });
    } else {
      const file = body[0]?.match(FILE_COMMENT)?.[1];
      if (!file)
        throw new Error(
          `${where}: the block's first line must be a comment naming its file`,
        );
      steps.push({ kind, anchor, file, lines: body.slice(1), source: where });
    }
    i = end;
  }
  return steps;
}

/** Inserts lines before the first line of text containing anchor; throws when it is missing. */
export function insertBefore(text, anchor, lines, label) {
  const all = text.split('\n');
  const at = all.findIndex(l => l.includes(anchor));
  if (at < 0) throw new Error(`${label}: "${anchor}" not found`);
  all.splice(at, 0, ...lines);
  return all.join('\n');
}

function applyStep(appDir, step) {
  console.log(
    `── ${step.source}: ${step.kind}${step.file ? ` ${step.file}` : ''}`,
  );
  if (step.kind === 'run') {
    for (const line of step.lines) {
      console.log(`$ ${line}`);
      execFileSync('bash', ['-euo', 'pipefail', '-c', line], {
        cwd: appDir,
        stdio: 'inherit',
      });
    }
    return;
  }
  const target = path.join(appDir, step.file);
  if (step.kind === 'append') {
    const text = fs.readFileSync(target, 'utf8');
    fs.writeFileSync(
      target,
      `${text.replace(/\n*$/, '\n\n')}${step.lines.join('\n')}\n`,
    );
  } else {
    const text = fs.readFileSync(target, 'utf8');
    fs.writeFileSync(
      target,
      insertBefore(
        text,
        step.anchor,
        step.lines,
        `${step.source} → ${step.file}`,
      ),
    );
  }
  for (const line of step.lines) console.log(`+ ${line}`);
}

function main([command, ...args]) {
  const readSteps = files =>
    files.flatMap(f =>
      extractSteps(fs.readFileSync(f, 'utf8'), path.relative(process.cwd(), f)),
    );
  if (command === 'list') {
    for (const s of readSteps(args)) console.log(JSON.stringify(s));
  } else if (command === 'apply') {
    const [appDir, ...readmes] = args;
    const steps = readSteps(readmes);
    if (steps.length === 0)
      throw new Error(`no adopter-test steps in ${readmes.join(', ')}`);
    for (const step of steps) applyStep(appDir, step);
  } else {
    throw new Error(
      'usage: readme-steps.mjs list <README...> | apply <appDir> <README...>',
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`readme-steps: ${e.message}`);
    process.exit(1);
  }
}
