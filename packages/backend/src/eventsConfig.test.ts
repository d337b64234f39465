import { loadConfig } from '@backstage/config-loader';
import { ConfigReader } from '@backstage/config';
import fs from 'fs';
import path from 'path';

const ROOT = path.resolve(__dirname, '../../..');

async function load(files: string[]) {
  const { appConfigs } = await loadConfig({
    configRoot: ROOT,
    configTargets: files.map(f => ({ path: path.join(ROOT, f) })),
  });
  return ConfigReader.fromConfigs(appConfigs);
}

describe('events', () => {
  it('stay in process while the events backend is not installed (no "events backend not found" at start-up)', async () => {
    const backend = fs.readFileSync(path.join(__dirname, 'index.ts'), 'utf8');
    const hasEventsBackend = backend.includes('plugin-events-backend');
    for (const files of [
      ['app-config.yaml'],
      ['app-config.yaml', 'app-config.production.yaml'],
      ['app-config.yaml', 'app-config.production.yaml', 'app-config.demo.yaml'],
    ]) {
      const config = await load(files);
      // `auto` probes the events backend's bus and warns when it is absent.
      expect(config.getString('events.useEventBus')).toBe(
        hasEventsBackend ? 'auto' : 'never',
      );
    }
  });
});
