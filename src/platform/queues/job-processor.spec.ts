import { JobCatalogError, JobProcessor, assertJobCatalog, type JobHandler } from './job-processor.js';

class Fake extends JobProcessor {
  constructor(readonly queue: 'maintenance', private readonly names: string[]) {
    super();
  }
  handlers(): Record<string, JobHandler> {
    return Object.fromEntries(this.names.map((n) => [n, async () => n]));
  }
}

const catalog = { maintenance: ['a', 'b'] };

describe('assertJobCatalog', () => {
  it('passes when every job has exactly one handler', () => {
    expect(() => assertJobCatalog([new Fake('maintenance', ['a']), new Fake('maintenance', ['b'])], catalog)).not.toThrow();
  });

  it('refuses a job without a handler', () => {
    expect(() => assertJobCatalog([new Fake('maintenance', ['a'])], catalog)).toThrow(/maintenance\/b has 0 handlers/);
  });

  it('refuses a job with two handlers', () => {
    expect(() => assertJobCatalog([new Fake('maintenance', ['a', 'b']), new Fake('maintenance', ['b'])], catalog)).toThrow(JobCatalogError);
  });

  it('refuses a handler for a job the catalogue does not know', () => {
    expect(() => assertJobCatalog([new Fake('maintenance', ['a', 'b', 'c'])], catalog)).toThrow(/maintenance\/c has a handler but is not in the catalogue/);
  });
});
