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

  it('keeps names from requests inside their directory', () => {
    const p = layout.bucketObject('../../etc', 'm1/pass wd');
    expect(p.startsWith(path.join('/data', 'bucket'))).toBe(true);
    expect(p).not.toContain(' ');
    expect(layout.runDir('../x')).toBe(path.join('/data', 'runs', '.._x'));
    expect(layout.modelPackageDir('a/b', 1)).toBe(
      path.join('/data', 'model-packages', 'a_b', '1'),
    );
  });
});
