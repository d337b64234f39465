import { WorkerPool } from './workerPool';

class FakeWorker {
  reusable = true;
  warmed = false;
  disposed = false;
  warm() {
    this.warmed = true;
    return this;
  }
  dispose() {
    this.disposed = true;
    this.reusable = false;
  }
}

describe('WorkerPool', () => {
  it('hands out the warm spare once, then cold ones', () => {
    const made: FakeWorker[] = [];
    const pool = new WorkerPool(() => {
      const w = new FakeWorker();
      made.push(w);
      return w;
    });
    pool.ensureSpare();
    pool.ensureSpare(); // already has one
    expect(made).toHaveLength(1);
    const first = pool.take();
    expect(first).toBe(made[0]);
    expect(first.warmed).toBe(true);
    const second = pool.take();
    expect(second).not.toBe(first);
    expect(second.warmed).toBe(false);
  });

  it('reuses a healthy worker and disposes a dead one or an extra one', () => {
    const pool = new WorkerPool(() => new FakeWorker());
    const a = pool.take();
    const b = pool.take();
    pool.release(a);
    expect(a.disposed).toBe(false);
    pool.release(b); // slot taken
    expect(b.disposed).toBe(true);
    expect(pool.take()).toBe(a);

    const dead = new FakeWorker();
    dead.reusable = false;
    pool.release(dead);
    expect(dead.disposed).toBe(true);
  });

  it('keeps nothing after close', () => {
    const pool = new WorkerPool(() => new FakeWorker());
    pool.ensureSpare();
    const spare = pool.take();
    pool.release(spare);
    pool.close();
    expect(spare.disposed).toBe(true);
    const late = new FakeWorker();
    pool.release(late);
    expect(late.disposed).toBe(true);
    pool.ensureSpare();
    expect(pool.take()).not.toBe(late);
  });
});
