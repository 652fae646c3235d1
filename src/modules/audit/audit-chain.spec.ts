import { createHmac } from 'node:crypto';
import { AUDIT_CHAINS, GENESIS_HASH, auditHash, canonicalAuditBytes, genesisHash, type AuditChainRow } from './audit-chain.js';

const KEY = Buffer.alloc(32, 7).map((b, i) => b + i) as Buffer;

const aRow = (over: Partial<AuditChainRow> = {}): AuditChainRow => ({
  seq: '42',
  id: '00000000-0000-4000-8000-000000000042',
  occurredAt: new Date('2027-03-01T10:00:00.123Z'),
  actorId: '11111111-1111-4111-8111-111111111111',
  actorAgencyId: '22222222-2222-4222-8222-222222222222',
  actorRoles: ['coordinator@33333333-3333-4333-8333-333333333333'],
  action: 'case.read',
  objectType: 'case',
  objectId: 'MRK-2027-0001',
  subjectIds: ['44444444-4444-4444-8444-444444444444'],
  purpose: 'conference-preparation',
  requestId: 'req-1',
  groupId: '33333333-3333-4333-8333-333333333333',
  details: { caseRef: 'MRK-2027-0001', count: 2 },
  ...over,
});

describe('canonical audit encoding', () => {
  it('is the documented length-prefixed byte string', () => {
    const bytes = canonicalAuditBytes(aRow({ actorRoles: [], subjectIds: [], objectId: null, details: {} }), GENESIS_HASH);
    const lp = (s: string | Buffer) => {
      const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
      const n = Buffer.alloc(4);
      n.writeUInt32BE(b.length);
      return Buffer.concat([n, b]);
    };
    const some = (s: string) => Buffer.concat([Buffer.from([1]), lp(s)]);
    const expected = Buffer.concat([
      lp('marak.audit.v1'),
      lp('42'),
      lp('00000000-0000-4000-8000-000000000042'),
      lp('2027-03-01T10:00:00.123Z'),
      some('11111111-1111-4111-8111-111111111111'),
      some('22222222-2222-4222-8222-222222222222'),
      Buffer.from([0, 0, 0, 0]),
      lp('case.read'),
      lp('case'),
      Buffer.from([0]),
      Buffer.from([0, 0, 0, 0]),
      some('conference-preparation'),
      some('req-1'),
      some('33333333-3333-4333-8333-333333333333'),
      lp('{}'),
      lp(GENESIS_HASH),
    ]);
    expect(bytes.equals(expected)).toBe(true);
  });

  it('is stable: the same row encodes the same, whatever the key order of details', () => {
    const a = canonicalAuditBytes(aRow({ details: { count: 2, caseRef: 'X' } }), GENESIS_HASH);
    const b = canonicalAuditBytes(aRow({ details: { caseRef: 'X', count: 2 } }), GENESIS_HASH);
    expect(a.equals(b)).toBe(true);
  });

  it('keeps field boundaries: moving characters between adjacent fields changes the encoding', () => {
    const a = canonicalAuditBytes(aRow({ objectType: 'ab', objectId: 'c' }), GENESIS_HASH);
    const b = canonicalAuditBytes(aRow({ objectType: 'a', objectId: 'bc' }), GENESIS_HASH);
    expect(a.equals(b)).toBe(false);
    const c = canonicalAuditBytes(aRow({ actorRoles: ['a,b'] }), GENESIS_HASH);
    const d = canonicalAuditBytes(aRow({ actorRoles: ['a', 'b'] }), GENESIS_HASH);
    expect(c.equals(d)).toBe(false);
  });

  it('tells null from an empty string', () => {
    expect(canonicalAuditBytes(aRow({ purpose: null }), GENESIS_HASH).equals(canonicalAuditBytes(aRow({ purpose: '' }), GENESIS_HASH))).toBe(false);
  });

  it('refuses a malformed seq, time or predecessor hash', () => {
    expect(() => canonicalAuditBytes(aRow({ seq: '0' }), GENESIS_HASH)).toThrow(RangeError);
    expect(() => canonicalAuditBytes(aRow({ occurredAt: new Date('nope') }), GENESIS_HASH)).toThrow(RangeError);
    expect(() => canonicalAuditBytes(aRow(), Buffer.alloc(16))).toThrow(RangeError);
  });
});

describe('audit hash', () => {
  it('is HMAC-SHA256 of the canonical bytes under the key', () => {
    const expected = createHmac('sha256', KEY).update(canonicalAuditBytes(aRow(), GENESIS_HASH)).digest();
    expect(auditHash(KEY, aRow(), GENESIS_HASH).equals(expected)).toBe(true);
    expect(auditHash(KEY, aRow(), GENESIS_HASH)).toHaveLength(32);
  });

  it.each<[string, Partial<AuditChainRow>]>([
    ['seq', { seq: '43' }],
    ['id', { id: '00000000-0000-4000-8000-000000000043' }],
    ['time', { occurredAt: new Date('2027-03-01T10:00:00.124Z') }],
    ['actor', { actorId: null }],
    ['agency', { actorAgencyId: null }],
    ['roles', { actorRoles: ['chair@33333333-3333-4333-8333-333333333333'] }],
    ['action', { action: 'case.update' }],
    ['object type', { objectType: 'referral' }],
    ['object id', { objectId: 'MRK-2027-0002' }],
    ['subjects', { subjectIds: [] }],
    ['purpose', { purpose: 'other' }],
    ['request id', { requestId: 'req-2' }],
    ['group', { groupId: null }],
    ['details', { details: { count: 3 } }],
  ])('changes when the %s changes', (_field, over) => {
    expect(auditHash(KEY, aRow(over), GENESIS_HASH).equals(auditHash(KEY, aRow(), GENESIS_HASH))).toBe(false);
  });

  it('depends on the predecessor and on the key', () => {
    const base = auditHash(KEY, aRow(), GENESIS_HASH);
    expect(auditHash(KEY, aRow(), Buffer.alloc(32, 1)).equals(base)).toBe(false);
    expect(auditHash(Buffer.alloc(32, 9), aRow(), GENESIS_HASH).equals(base)).toBe(false);
  });
});

describe('chain genesis hashes', () => {
  it('keeps chain 0 at 32 zero bytes, the genesis of the rows written before there were chains', () => {
    expect(genesisHash(0).equals(Buffer.alloc(32))).toBe(true);
    expect(GENESIS_HASH.equals(Buffer.alloc(32))).toBe(true);
  });

  it('gives every chain its own, so no two chains start from the same predecessor', () => {
    const all = Array.from({ length: AUDIT_CHAINS }, (_, c) => genesisHash(c).toString('hex'));
    expect(new Set(all).size).toBe(AUDIT_CHAINS);
    expect(genesisHash(1).toString('hex')).toBe('00'.repeat(31) + '01');
  });

  it('refuses a chain number that does not fit', () => {
    expect(() => genesisHash(-1)).toThrow(RangeError);
    expect(() => genesisHash(65536)).toThrow(RangeError);
    expect(() => genesisHash(1.5)).toThrow(RangeError);
  });
});
