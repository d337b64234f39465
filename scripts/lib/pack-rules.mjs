// Rules check-packs.mjs applies to each packed package.json.

/** TypeScript loaders and compilers: build-time tools an adopter must not install to run us. */
export const DEV_TOOLS = [
  'tsx',
  'ts-node',
  'typescript',
  '@swc-node/register',
  'esbuild-register',
  '@esbuild-kit/cjs-loader',
];

/** Problems with what a package installs at run time (dependencies, optionalDependencies). */
export function runtimeDependencyProblems(pkg) {
  const problems = [];
  for (const field of ['dependencies', 'optionalDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) {
      if (DEV_TOOLS.includes(name)) {
        problems.push(
          `${pkg.name}: ${name} is in ${field}; a TypeScript loader/dev tool belongs in devDependencies`,
        );
      }
    }
  }
  return problems;
}
