import { Type, plainToInstance } from 'class-transformer';
import { ValidateNested, validateSync } from 'class-validator';
import { flattenValidationErrors } from '../../../common/problems/validation.js';
import { ChildDto, PersonDto } from './person.dto.js';

/** How the referrals module will nest the shapes. */
class ReferralLike {
  @ValidateNested() @Type(() => PersonDto) victim: PersonDto;
  @ValidateNested({ each: true }) @Type(() => ChildDto) children: ChildDto[];
}

const victim = { firstName: 'Aino', lastName: 'Testinen', birthDate: '1985-03-14', identityCode: '140385-942S', gender: 'female', phone: '+358 40 000 0000' };

function errors(body: object): { field: string; message: string }[] {
  const dto = plainToInstance(ReferralLike, body);
  return flattenValidationErrors(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } }));
}

describe('PersonDto and ChildDto', () => {
  it('accept a full victim and a child nested in a request', () => {
    expect(errors({ victim: { ...victim, language: 'so', interpreterNeeded: true, address: 'Testikatu 1', safeContactNote: 'Vain arkisin', specialCircumstances: ['raskaana'] }, children: [{ firstName: 'Eemeli', livesWithVictim: true }] })).toEqual([]);
  });

  it('accept an identity code with lower case and spaces (the service normalises it)', () => {
    expect(errors({ victim: { ...victim, identityCode: ' 140385-942s ' }, children: [] })).toEqual([]);
  });

  it('refuse a birth date that is not a bare YYYY-MM-DD date, with the nested field path', () => {
    for (const birthDate of ['1985-03-14T00:00:00Z', '14.3.1985', '1985-02-30', '1985-W11-4']) {
      expect(errors({ victim: { ...victim, birthDate }, children: [] }).map((e) => e.field)).toContain('victim.birthDate');
    }
    expect(errors({ victim, children: [{ firstName: 'Eemeli', birthDate: '2015-6-1' }] }).map((e) => e.field)).toContain('children.0.birthDate');
  });

  it('refuse an identity code of the wrong shape without echoing it', () => {
    const found = errors({ victim: { ...victim, identityCode: '140385*942S' }, children: [] });
    expect(found.map((e) => e.field)).toEqual(['victim.identityCode']);
    expect(JSON.stringify(found)).not.toContain('140385');
  });

  it('refuse unknown fields, overlong values, and a child without a first name', () => {
    const found = errors({
      victim: { ...victim, firstName: 'x'.repeat(101), gender: 'woman', specialCircumstances: ['ok', ''], nickname: 'nope' },
      children: [{ lastName: 'Testinen' }],
    }).map((e) => e.field);
    expect(found).toEqual(expect.arrayContaining(['victim.firstName', 'victim.gender', 'victim.specialCircumstances', 'victim.nickname', 'children.0.firstName']));
  });

  it('require a last name for a victim but not for a child', () => {
    const { lastName: _omit, ...noLastName } = victim;
    expect([...new Set(errors({ victim: noLastName, children: [{ firstName: 'Eemeli' }] }).map((e) => e.field))]).toEqual(['victim.lastName']);
  });
});
