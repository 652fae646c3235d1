import type { NotificationTemplate } from './template-types.js';

export const CASE_TEMPLATES: NotificationTemplate[] = [
  {
    kind: 'referral.triage-overdue',
    params: { reference: 'reference', dueDate: 'date', path: 'path' },
    fi: {
      subject: 'Käsittelemätön lähete: {{reference}}',
      body: ['Lähetettä {{reference}} ei ole käsitelty määräaikaan {{dueDate}} mennessä.'],
      linkLabel: 'Avaa lähete',
    },
    sv: {
      subject: 'Obehandlad remiss: {{reference}}',
      body: ['Remissen {{reference}} har inte behandlats inom tidsfristen {{dueDate}}.'],
      linkLabel: 'Öppna remissen',
    },
    en: {
      subject: 'Referral awaiting triage: {{reference}}',
      body: ['Referral {{reference}} was not triaged by {{dueDate}}.'],
      linkLabel: 'Open the referral',
    },
  },
  {
    kind: 'case.closed',
    params: { reference: 'reference', path: 'path' },
    fi: {
      subject: 'Tapaus suljettu: {{reference}}',
      body: ['MARAK-tapaus {{reference}} on suljettu. Sen avoimia toimenpiteitä ei enää seurata.'],
      linkLabel: 'Avaa tapaus',
    },
    sv: {
      subject: 'Ärendet avslutat: {{reference}}',
      body: ['MARAK-ärendet {{reference}} har avslutats. Dess öppna åtgärder följs inte längre upp.'],
      linkLabel: 'Öppna ärendet',
    },
    en: {
      subject: 'Case closed: {{reference}}',
      body: ['MARAK case {{reference}} has been closed. Its open actions are no longer followed up.'],
      linkLabel: 'Open the case',
    },
  },
  {
    kind: 'test.probe',
    testOnly: true,
    params: { reference: 'reference', firesAt: 'instant', path: 'path' },
    fi: { subject: 'Testiajastin {{reference}} ({{firesAt}})', body: ['Testiajastin {{reference}} laukesi, määräaika {{firesAt}}.'], linkLabel: 'Avaa' },
    sv: { subject: 'Testtimer {{reference}} ({{firesAt}})', body: ['Testtimern {{reference}} utlöstes, tidpunkt {{firesAt}}.'], linkLabel: 'Öppna' },
    en: { subject: 'Test timer {{reference}} ({{firesAt}})', body: ['Test timer {{reference}} fired, due {{firesAt}}.'], linkLabel: 'Open' },
  },
];
