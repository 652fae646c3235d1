import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MetricsService } from './metrics.service.js';

// A full GC on demand: the flag exposes `gc` in contexts made after it is set.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function pauses(m: MetricsService, name: string): Promise<number> {
  const metric = await m.registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).filter((v) => (v as { metricName?: string }).metricName === `${name}_count`).reduce((n, v) => n + v.value, 0);
}

/** Lets the performance observers run (they are handed their entries after the current turn). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('MetricsService', () => {
  it('counts every garbage-collection pause, also several from one event-loop turn', async () => {
    const m = new MetricsService();
    try {
      await settle();
      const before = await pauses(m, 'marak_gc_pause_seconds');
      const defaultBefore = await pauses(m, 'marak_nodejs_gc_duration_seconds');
      for (let i = 0; i < 5; i++) gc(); // five pauses in one turn: handed over as one batch
      await settle();
      expect((await pauses(m, 'marak_gc_pause_seconds')) - before).toBeGreaterThanOrEqual(5);
      // What the app's histogram adds: prom-client's own saw fewer of the same pauses.
      expect((await pauses(m, 'marak_nodejs_gc_duration_seconds')) - defaultBefore).toBeLessThan(5);
    } finally {
      m.onModuleDestroy();
    }
  });

  it('stops observing when the module is destroyed', async () => {
    const m = new MetricsService();
    m.onModuleDestroy();
    await settle();
    const before = await pauses(m, 'marak_gc_pause_seconds');
    gc();
    await settle();
    expect(await pauses(m, 'marak_gc_pause_seconds')).toBe(before);
  });
});
