import { randomBytes } from 'crypto';
import path from 'path';
import { safeSegment } from './fsutil';

/**
 * Where the local engine keeps files under its data directory. Every name
 * from a request goes through safeSegment, so none can leave the directory.
 */
export class DataLayout {
  constructor(readonly root: string) {}

  /** An object in a pipeline's data bucket (key: `<manifestId>/<file>`). */
  bucketObject(pipelineName: string, key: string): string {
    return path.join(
      this.root,
      'bucket',
      safeSegment(pipelineName),
      ...key.split('/').map(safeSegment),
    );
  }

  manifest(pipelineName: string, manifestId: string): string {
    return path.join(
      this.root,
      'manifests',
      safeSegment(pipelineName),
      `${safeSegment(manifestId)}.json`,
    );
  }

  /** Step artifacts of one execution. */
  runDir(executionId: string): string {
    return path.join(this.root, 'runs', safeSegment(executionId));
  }

  /** A registered version's artifacts (preprocessor, model, evaluation). */
  modelPackageDir(groupName: string, version: number): string {
    return path.join(
      this.root,
      'model-packages',
      safeSegment(groupName),
      String(version),
    );
  }

  /**
   * Parsed table of a checked upload, by the sha256 of its bytes and of the
   * spec it was read by (the same bytes read by another spec are another table).
   */
  parseCache(sha256: string, specHash: string): string {
    return path.join(
      this.parseCacheDir(),
      `${safeSegment(sha256)}-${safeSegment(specHash.slice(0, 16))}.columns`,
    );
  }

  parseCacheDir(): string {
    return path.join(this.root, 'cache', 'columns');
  }

  /** Where uploads are staged while they are checked (outside the bucket). */
  incomingDir(): string {
    return path.join(this.root, 'incoming');
  }

  /** A fresh staging file for an upload being checked. */
  newIncomingFile(extension = '.csv'): string {
    return path.join(
      this.incomingDir(),
      `${randomBytes(8).toString('hex')}${extension}`,
    );
  }
}
