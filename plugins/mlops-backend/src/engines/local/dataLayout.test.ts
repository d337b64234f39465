import path from 'path';
import { DataLayout } from './dataLayout';

describe('DataLayout', () => {
  const layout = new DataLayout('/data');

  it('puts each kind of file in its own tree under the root', () => {
    expect(layout.bucketObject('abalone-pipeline', 'm1/abalone.csv')).toBe(
      path.join('/data', 'bucket', 'abalone-pipeline', 'm1', 'abalone.csv'),
    );
    expect(layout.manifest('abalone-pipeline', 'm1')).toBe(
      path.join('/data', 'manifests', 'abalone-pipeline', 'm1.json'),
    );
    expect(layout.runDir('abc123')).toBe(path.join('/data', 'runs', 'abc123'));
    expect(layout.modelPackageDir('Group', 3)).toBe(
      path.join('/data', 'model-packages', 'Group', '3'),
    );
    const a = layout.newIncomingFile();
    expect(path.dirname(a)).toBe(path.join('/data', 'incoming'));
    expect(layout.newIncomingFile()).not.toBe(a);
  });

  // Security review finding 8: names used to be rewritten (`a/b` → `a_b`,
  // `../x` → `.._x`), which let two names share a folder; now they are refused.
  it('keeps names from requests inside their directory by refusing path-like names', () => {
    expect(() => layout.bucketObject('../../etc', 'm1/passwd')).toThrow(
      /not a valid name/,
    );
    expect(() => layout.bucketObject('p', 'm1/pass wd')).toThrow(
      /not a valid name/,
    );
    expect(() => layout.runDir('../x')).toThrow(/not a valid name/);
    expect(() => layout.modelPackageDir('a/b', 1)).toThrow(/not a valid name/);
    expect(layout.modelPackageDir('a_b', 1)).toBe(
      path.join('/data', 'model-packages', 'a_b', '1'),
    );
  });
});
