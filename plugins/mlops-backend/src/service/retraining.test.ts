import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { RetrainingSpec } from '@mlops-portal/ml-core';
import type {
  MonitoringResponse,
  PipelineExecution,
  SystemSpecResponse,
} from '@mlops-portal/plugin-mlops-common';
import type { StartExecutionOptions } from '@mlops-portal/plugin-mlops-node';
import fs from 'fs';
import knexFactory, { type Knex } from 'knex';
import os from 'os';
import path from 'path';
import { demoSystem } from '../__testUtils__/demoSystems';
import { RETRAINING_ACTOR, Retraining, nextFire } from './retraining';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const HOUR = 3_600_000;
const ENTITY_REF = 'component:default/penguin-species';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'penguin-species',
    namespace: 'default',
    annotations: {
      'mlops.io/pipeline': 'penguins-pipeline',
      'mlops.io/model-package-group': 'Penguins',
      'mlops.io/endpoint': 'penguins-endpoint',
      'mlops.io/spec': './ml-system.yaml',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'ml-platform' },
};

/** The penguins demo system with a retraining section. */
function systemWith(retraining: RetrainingSpec): SystemSpecResponse {
  const { system } = demoSystem('penguins');
  const spec = JSON.parse(JSON.stringify(system.spec));
  spec.spec.retraining = retraining;
  return { ...system, spec };
}

function monitoring(drifted: boolean): MonitoringResponse {
  return {
    endpointName: 'penguins-endpoint',
    window: '1h',
    totals: { invocations: 500, errors4xx: 0, errors5xx: 0 },
    traffic: [],
    drift: {
      status: drifted ? 'drift' : 'ok',
      sampleCount: 500,
      baselineVersion: 1,
      features: [
        {
          feature: 'bill_length_mm',
          psi: drifted ? 0.9 : 0.01,
          ks: null,
          status: drifted ? 'drift' : 'ok',
          sampleCount: 500,
        },
      ],
    },
  };
}

/**
 * One "backend": the real service over a real database; the engine records
 * starts (training itself is the engines' tests' business) and answers
 * monitoring with the drift status the test sets.
 */
async function backend(
  db: Knex,
  options: {
    system: SystemSpecResponse;
    clock: { now: number };
    drifted?: () => boolean;
    allowPreApprove?: boolean;
    /** Shared by several backends: what every engine started. */
    started?: StartExecutionOptions[];
    startFails?: () => boolean;
  },
) {
  const started = options.started ?? [];
  const notify = jest.fn(async () => {});
  const auditor = mockServices.auditor.mock();
  const auditEvent = {
    success: jest.fn(async () => {}),
    fail: jest.fn(async () => {}),
  };
  auditor.createEvent.mockResolvedValue(auditEvent);
  const engine = {
    startExecution: jest.fn(async (_r: unknown, o: StartExecutionOptions) => {
      // The engine is slower than the database: both backends reach it if both won.
      await new Promise(r => setTimeout(r, 5));
      if (options.startFails?.())
        throw new ConflictError('a run of penguins-pipeline is executing');
      started.push(o);
      return {
        executionId: `exec-${started.length}`,
        trigger: o.trigger,
      } as PipelineExecution;
    }),
    getMonitoring: jest.fn(async () =>
      monitoring(options.drifted?.() ?? false),
    ),
  };
  const retraining = await Retraining.create({
    database: db,
    engine,
    catalog: catalogServiceMock({ entities: [entity] }),
    auth: mockServices.auth(),
    specs: { forEntity: async () => options.system },
    auditor,
    notify,
    logger: mockServices.logger.mock(),
    allowPreApprove: options.allowPreApprove ?? false,
    now: () => options.clock.now,
  });
  return { retraining, started, notify, auditor, auditEvent, engine };
}

/** Two connections to one database, as two backend replicas have. */
async function sharedDatabase(
  id: Parameters<typeof databases.init>[0],
): Promise<[Knex, Knex, () => Promise<void>]> {
  if (id === 'SQLITE_3') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-retraining-'));
    const open = () =>
      knexFactory({
        client: 'better-sqlite3',
        connection: { filename: path.join(dir, 'backend.sqlite') },
        useNullAsDefault: true,
      });
    const a = open();
    const b = open();
    return [
      a,
      b,
      async () => {
        await Promise.all([a.destroy(), b.destroy()]);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    ];
  }
  const a = await databases.init(id);
  const b = knexFactory({
    client: a.client.config.client,
    connection: a.client.config.connection,
  });
  return [a, b, () => b.destroy()];
}

describe.each(databases.eachSupportedId())('Retraining on %p', id => {
  it('a drift breach over N consecutive windows starts one run, then waits out the cooldown', async () => {
    const db = await databases.init(id);
    // Five past each hour: every batch of six looks judges one ended window.
    const clock = { now: Date.UTC(2026, 11, 7, 0, 5) };
    let drifted = true;
    const b = await backend(db, {
      clock,
      drifted: () => drifted,
      system: systemWith({
        drift: { consecutiveWindows: 3, window: '1h', cooldown: '12h' },
      }),
    });
    const tickEveryTenMinutes = async (hours: number) => {
      const actions = [];
      for (let i = 0; i < hours * 6; i++) {
        actions.push(...(await b.retraining.tick()));
        clock.now += HOUR / 6;
      }
      return actions;
    };

    // Windows 1 and 2 drifted, judged once each however often the loop looks.
    expect(await tickEveryTenMinutes(2)).toEqual([]);
    expect(b.engine.getMonitoring).toHaveBeenCalledTimes(2);
    // Window 3: the run starts, once.
    const first = await tickEveryTenMinutes(1);
    expect(first).toEqual([
      { entityRef: ENTITY_REF, trigger: 'drift', executionId: 'exec-1' },
    ]);
    expect(b.started).toHaveLength(1);
    expect(b.started[0]).toMatchObject({
      trigger: 'drift',
      actor: RETRAINING_ACTOR,
      parameters: undefined,
    });
    expect(b.started[0].clientRequestToken).toMatch(/^drift-[0-9a-f]{48}$/);
    // It started at the batch's first look (02:05).
    const firstRunAt = clock.now - HOUR;

    // Drift goes on: windows keep breaching, but the 12 h cooldown holds.
    expect(await tickEveryTenMinutes(11)).toEqual([]);
    expect(b.started).toHaveLength(1);
    // 12 h after the first run, still drifting: a second run.
    expect(clock.now - firstRunAt).toBe(12 * HOUR);
    const second = await tickEveryTenMinutes(1);
    expect(second).toHaveLength(1);
    expect(b.started).toHaveLength(2);

    // A clean window resets the count: two drifted windows after it start nothing.
    clock.now += 12 * HOUR;
    drifted = false;
    await tickEveryTenMinutes(1);
    drifted = true;
    expect(await tickEveryTenMinutes(2)).toEqual([]);
    expect(b.started).toHaveLength(2);

    // Audited and told to the owners, each time.
    expect(b.auditor.createEvent).toHaveBeenCalledTimes(2);
    expect(b.auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'pipeline-execution-start',
        meta: expect.objectContaining({
          entityRef: ENTITY_REF,
          trigger: 'drift',
          actor: 'plugin:mlops/retraining',
          autoApprove: false,
        }),
      }),
    );
    expect(b.auditEvent.success).toHaveBeenCalledWith({
      meta: { executionId: 'exec-1' },
    });
    expect(b.notify).toHaveBeenCalledTimes(2);
    expect(b.notify).toHaveBeenCalledWith(
      ENTITY_REF,
      expect.objectContaining({
        title: 'Drift-triggered retraining of penguins-pipeline started',
        description: expect.stringMatching(
          /inputs drifted \(bill_length_mm\) in 3 consecutive 1h windows.*wait for an owner’s approval/,
        ),
      }),
    );
  });

  it('a refused start is audited as failed and told to the owners; the cooldown still holds', async () => {
    const db = await databases.init(id);
    const clock = { now: Date.UTC(2026, 11, 7, 0, 10) };
    const b = await backend(db, {
      clock,
      drifted: () => true,
      startFails: () => true,
      system: systemWith({
        drift: { consecutiveWindows: 1, window: '1h', cooldown: '6h' },
      }),
    });
    const [action] = await b.retraining.tick();
    expect(action).toMatchObject({
      trigger: 'drift',
      error: 'a run of penguins-pipeline is executing',
    });
    expect(b.auditEvent.fail).toHaveBeenCalledTimes(1);
    expect(b.notify).toHaveBeenCalledWith(
      ENTITY_REF,
      expect.objectContaining({
        title:
          'Drift-triggered retraining of penguins-pipeline could not start',
        severity: 'high',
      }),
    );
    clock.now += HOUR;
    expect(await b.retraining.tick()).toEqual([]);
  });

  it('a schedule fires on exactly one of two backends sharing the database', async () => {
    const [dbA, dbB, close] = await sharedDatabase(id);
    try {
      // Monday 02:59 UTC; the cron fires at 03:00 on Mondays.
      const clock = { now: Date.UTC(2026, 11, 7, 2, 59) };
      const system = systemWith({ schedule: { cron: '0 3 * * 1' } });
      const started: StartExecutionOptions[] = [];
      const a = await backend(dbA, { clock, system, started });
      const b = await backend(dbB, { clock, system, started });
      const both = async () =>
        (await Promise.all([a.retraining.tick(), b.retraining.tick()])).flat();

      // First sight: the next fire is noted; nothing starts.
      expect(await both()).toEqual([]);
      clock.now += 30_000;
      expect(await both()).toEqual([]);
      // 03:00:30: both look at once, one run starts.
      clock.now = Date.UTC(2026, 11, 7, 3, 0, 30);
      const fired = await both();
      expect(fired).toHaveLength(1);
      expect(started).toHaveLength(1);
      expect(started[0]).toMatchObject({ trigger: 'schedule' });
      // Later the same day: nothing more, on either.
      for (let i = 0; i < 5; i++) {
        clock.now += HOUR;
        expect(await both()).toEqual([]);
      }
      // Backends down for two weeks: the missed fires make one run, not two.
      clock.now = Date.UTC(2026, 11, 22, 12, 0);
      expect(await both()).toHaveLength(1);
      expect(await both()).toEqual([]);
      expect(started).toHaveLength(2);
      expect(a.notify.mock.calls.length + b.notify.mock.calls.length).toBe(2);
      const notified = [...a.notify.mock.calls, ...b.notify.mock.calls];
      expect(notified[0]).toEqual([
        ENTITY_REF,
        expect.objectContaining({
          title: 'Scheduled retraining of penguins-pipeline started',
        }),
      ]);
    } finally {
      await close();
    }
  });

  it('autoApprove pre-approves only where the platform allows pre-approval', async () => {
    const db = await databases.init(id);
    const clock = { now: Date.UTC(2026, 11, 7, 2, 59) };
    const system = systemWith({
      schedule: { cron: '0 * * * *' },
      autoApprove: true,
    });
    const off = await backend(db, { clock, system, allowPreApprove: false });
    await off.retraining.tick();
    clock.now += HOUR;
    await off.retraining.tick();
    expect(off.started).toHaveLength(1);
    expect(off.started[0].parameters).toBeUndefined();

    const on = await backend(db, { clock, system, allowPreApprove: true });
    clock.now += HOUR;
    await on.retraining.tick();
    expect(on.started).toHaveLength(1);
    expect(on.started[0].parameters).toEqual({
      ModelApprovalStatus: 'Approved',
    });
    expect(on.notify).toHaveBeenCalledWith(
      ENTITY_REF,
      expect.objectContaining({
        description: expect.stringMatching(/registered as Approved/),
      }),
    );
  });

  it('the migration creates the state table and rolls back cleanly', async () => {
    const db = await databases.init(id);
    const clock = { now: Date.UTC(2026, 11, 7, 2, 59) };
    const b = await backend(db, {
      clock,
      system: systemWith({ schedule: { cron: '0 3 * * *' } }),
    });
    await b.retraining.tick();
    const row = await db('mlops_retraining_state')
      .where({ entity_ref: ENTITY_REF })
      .first();
    expect(row.schedule_cron).toBe('0 3 * * *');
    expect(Number(row.schedule_next_at)).toBe(Date.UTC(2026, 11, 7, 3, 0));
    const config = {
      directory: path.resolve(__dirname, '../../migrations/retraining'),
      tableName: 'mlops_retraining_knex_migrations',
      loadExtensions: ['.js'],
    };
    await db.migrate.rollback(config, true);
    expect(await db.schema.hasTable('mlops_retraining_state')).toBe(false);
    await db.migrate.latest(config);
    expect(await db.schema.hasTable('mlops_retraining_state')).toBe(true);
  });
});

describe('nextFire', () => {
  it('is the next cron time after now, in UTC', () => {
    const monday3am = Date.UTC(2026, 11, 7, 3, 0);
    expect(nextFire('0 3 * * 1', monday3am - 1)).toBe(monday3am);
    expect(nextFire('0 3 * * 1', monday3am)).toBe(monday3am + 7 * 24 * HOUR);
    expect(() => nextFire('99 * * * *', monday3am)).toThrow(/out of range/);
  });
});
