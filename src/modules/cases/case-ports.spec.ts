import type { DataSource } from 'typeorm';
import { CasesService } from './cases.service.js';

/** CasesService.provide: the ports of dependent modules, each handed over once. */
describe('CasesService.provide', () => {
  const unused = undefined as never;
  const service = () => new CasesService(unused as DataSource, unused, unused, unused, unused, unused, unused, unused, unused);

  it('takes ports from several modules, each once', () => {
    const cases = service();
    cases.provide({ referralSummaries: async () => [] });
    cases.provide({ hearings: async () => [], publishedAgendaCases: async () => [] });
    cases.provide({ actions: async () => [] });
  });

  it('throws when a port is provided a second time, naming it', () => {
    const cases = service();
    cases.provide({ hearings: async () => [] });
    expect(() => cases.provide({ referralSummaries: async () => [], hearings: async () => [] })).toThrow(/hearings provided twice/);
  });
});
