import { REDACTED_FIELDS } from '../../../platform/logging/redaction.js';
import { NotificationParamsError, referencedVariables, renderNotification, TEMPLATES, templateOf, validateParams, type NotificationParams } from './template-catalog.js';
import { LOCALES, type NotificationTemplate, type ParamType } from './template-types.js';

const SAMPLE: Record<ParamType, string | number | string[]> = {
  reference: 'MRK-2027-00042',
  organisation: 'Espoon poliisi',
  date: '2027-06-18',
  instant: '2027-06-08T06:00:00.000Z',
  count: 7,
  path: '/actions/0b8e3c1e-6a51-4d43-9c27-2f0c6f7d5a10',
  uuid: '0b8e3c1e-6a51-4d43-9c27-2f0c6f7d5a10',
  references: ['MRK-2027-00042', 'MRK-2027-00043'],
};

function sampleParams(t: NotificationTemplate): NotificationParams {
  const p: NotificationParams = Object.fromEntries(Object.entries(t.params).map(([k, type]) => [k, SAMPLE[type]]));
  if (t.calendar) p[t.calendar.end] = '2027-06-08T08:00:00.000Z';
  return p;
}

// Personal data as a careless caller might pass it: names, identity codes, addresses, free text.
const PERSONAL = {
  firstName: 'Liisa',
  lastName: 'Virtanen',
  identityCode: '010190-998X',
  address: 'Mannerheimintie 1 A 2',
  phone: '+358401234567',
  summary: 'Puoliso uhkasi tappaa',
  email: 'liisa.virtanen@example.fi',
};

describe('notification templates', () => {
  const all = TEMPLATES.flatMap((t) => LOCALES.map((locale) => [t.kind, locale, t] as const));

  it.each(all)('%s renders in %s as text and HTML with only its parameters', (_kind, locale, t) => {
    const mail = renderNotification(t, locale, validateParams(t, sampleParams(t)), { publicUrl: 'https://marak.test' });
    expect(mail.subject.length).toBeGreaterThan(5);
    expect(mail.subject).not.toMatch(/\{\{|\}\}|undefined|NaN/);
    expect(mail.text).not.toMatch(/\{\{|\}\}|undefined|NaN|Invalid/);
    expect(mail.html).toMatch(/^<!doctype html>/);
    const link = `https://marak.test${sampleParams(t).path}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    if ('reference' in t.params) expect(mail.subject + mail.text).toContain('MRK-2027-00042');
    if (t.calendar) {
      expect(mail.attachments).toHaveLength(1);
      expect(mail.attachments[0].content).toMatch(/BEGIN:VCALENDAR[\s\S]*METHOD:PUBLISH[\s\S]*DTSTART:20270608T060000Z[\s\S]*DTEND:20270608T080000Z/);
      expect(mail.attachments[0].content).toContain('UID:conference-0b8e3c1e-6a51-4d43-9c27-2f0c6f7d5a10@marak.test');
    } else {
      expect(mail.attachments).toHaveLength(0);
    }
  });

  it.each(all)('%s in %s refers only to declared parameters, none of them a personal-data field', (_kind, locale, t) => {
    const l = t[locale];
    const declared = Object.keys(t.params);
    for (const source of [l.subject, ...l.body, l.calendarTitle ?? '']) {
      for (const name of referencedVariables(source)) expect(declared).toContain(name);
    }
    for (const name of declared) expect(REDACTED_FIELDS as readonly string[]).not.toContain(name);
    expect(Object.values(t.params).every((type) => type in SAMPLE)).toBe(true);
  });

  it.each(TEMPLATES.map((t) => [t.kind, t] as const))('%s refuses every personal-data field and unknown key', (_kind, t) => {
    for (const [key, value] of Object.entries(PERSONAL)) {
      expect(() => validateParams(t, { ...sampleParams(t), [key]: value })).toThrow(new RegExp(`${key} is not a parameter`));
    }
  });

  it.each(TEMPLATES.map((t) => [t.kind, t] as const))('%s refuses personal data smuggled into a declared parameter', (_kind, t) => {
    for (const [key, type] of Object.entries(t.params)) {
      const smuggled = type === 'organisation' ? ['liisa.virtanen@example.fi', 'Asiakas 010190-998X', 'rivi\nrivi'] : Object.values(PERSONAL);
      for (const value of smuggled) {
        expect(() => validateParams(t, { ...sampleParams(t), [key]: value })).toThrow(NotificationParamsError);
      }
    }
  });

  it('names fields in its errors, never values', () => {
    const t = templateOf('action.due-reminder')!;
    try {
      validateParams(t, { ...sampleParams(t), reference: 'Liisa Virtanen' });
      throw new Error('expected a refusal');
    } catch (e) {
      expect((e as Error).message).toContain('reference must be a reference');
      expect((e as Error).message).not.toContain('Liisa');
    }
  });

  it('shows dates and times in Helsinki time, in the mail language', () => {
    const t = templateOf('conference.reminder')!;
    const p = sampleParams(t);
    const fi = renderNotification(t, 'fi', p, { publicUrl: 'https://marak.test' });
    const en = renderNotification(t, 'en', p, { publicUrl: 'https://marak.test' });
    expect(fi.subject).toContain('8.6.2027');
    expect(fi.subject).toMatch(/9\.00/); // 06:00Z is 09:00 in Helsinki summer time
    expect(en.subject).toContain('8 June 2027');
    expect(en.subject).toContain('09:00');
  });

  it('HTML-escapes parameter values in the HTML part', () => {
    const t = templateOf('action.due-reminder')!;
    const mail = renderNotification(t, 'en', { ...sampleParams(t), agencyName: "Women's shelter & co" }, { publicUrl: 'https://marak.test' });
    expect(mail.html).toContain('Women&#x27;s shelter &amp; co');
    expect(mail.text).toContain("Women's shelter & co");
  });

  it('keeps test-only kinds out of the product', () => {
    expect(templateOf('test.probe')).toBeUndefined();
    expect(templateOf('test.probe', { includeTestOnly: true })).toBeDefined();
  });
});
