import type { ModelVersion } from './types';

/**
 * The four-eyes rule: whoever started the run that produced a version, or
 * uploaded its data, may not approve it. Returns why `userRef` may not
 * approve `version`, or undefined when the rule does not stop them. Shared so
 * the backend (which enforces it) and the UI (which explains a disabled
 * Approve) say the same thing.
 *
 * @param runStartedBy - who started the producing run, when the caller looked
 *   it up (a retry is started by someone other than the version's creator).
 */
export function fourEyesConflict(
  version: Pick<ModelVersion, 'version' | 'createdBy' | 'dataManifest'>,
  userRef: string,
  runStartedBy?: string,
): string | undefined {
  const user = userRef.toLocaleLowerCase('en-US');
  const same = (ref: string | undefined) =>
    ref !== undefined && ref.toLocaleLowerCase('en-US') === user;
  const roles: string[] = [];
  if (same(version.createdBy) || same(runStartedBy)) {
    roles.push('started the run that produced it');
  }
  if (same(version.dataManifest?.createdBy)) {
    roles.push('uploaded its data');
  }
  if (roles.length === 0) return undefined;
  return `Four-eyes rule: ${userRef} ${roles.join(
    ' and ',
  )}, so someone else must approve version ${version.version}`;
}
