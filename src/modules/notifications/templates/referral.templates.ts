import type { NotificationTemplate } from './template-types.js';

/** Mails about referrals: a reference and a link, never what the referral says. */
export const REFERRAL_TEMPLATES: NotificationTemplate[] = [
  {
    kind: 'referral.submitted',
    params: { reference: 'reference', group: 'organisation', path: 'path' },
    fi: { subject: 'Uusi MARAK-lähete: {{reference}}', body: ['Ryhmälle {{group}} on saapunut uusi lähete {{reference}}. Käsittele se määräajassa.'], linkLabel: 'Avaa lähete' },
    sv: { subject: 'Ny MARAK-remiss: {{reference}}', body: ['Gruppen {{group}} har fått en ny remiss {{reference}}. Behandla den inom tidsfristen.'], linkLabel: 'Öppna remissen' },
    en: { subject: 'New MARAK referral: {{reference}}', body: ['Group {{group}} has received a new referral {{reference}}. Please triage it in time.'], linkLabel: 'Open the referral' },
  },
  {
    kind: 'referral.returned',
    params: { reference: 'reference', path: 'path' },
    fi: { subject: 'Lähete palautettu täydennettäväksi: {{reference}}', body: ['Koordinaattori palautti lähetteesi {{reference}} täydennettäväksi. Syy näkyy sovelluksessa.'], linkLabel: 'Avaa lähete' },
    sv: { subject: 'Remissen returnerad för komplettering: {{reference}}', body: ['Koordinatorn returnerade din remiss {{reference}} för komplettering. Orsaken visas i applikationen.'], linkLabel: 'Öppna remissen' },
    en: { subject: 'Referral returned for more information: {{reference}}', body: ['The coordinator returned your referral {{reference}} for more information. The reason is shown in the application.'], linkLabel: 'Open the referral' },
  },
  {
    kind: 'referral.declined',
    params: { reference: 'reference', path: 'path' },
    fi: { subject: 'Lähetettä ei otettu MARAK-käsittelyyn: {{reference}}', body: ['Koordinaattori ei ottanut lähetettäsi {{reference}} käsittelyyn. Syy näkyy sovelluksessa.'], linkLabel: 'Avaa lähete' },
    sv: { subject: 'Remissen togs inte upp i MARAK: {{reference}}', body: ['Koordinatorn tog inte upp din remiss {{reference}}. Orsaken visas i applikationen.'], linkLabel: 'Öppna remissen' },
    en: { subject: 'Referral not taken to MARAK: {{reference}}', body: ['The coordinator declined your referral {{reference}}. The reason is shown in the application.'], linkLabel: 'Open the referral' },
  },
  {
    kind: 'referral.accepted',
    params: { reference: 'reference', startsAt: 'instant', path: 'path' },
    fi: { subject: 'Lähete hyväksytty: {{reference}}', body: ['Lähetteesi {{reference}} hyväksyttiin. Tapaus käsitellään kokouksessa {{startsAt}}.'], linkLabel: 'Avaa lähete' },
    sv: { subject: 'Remissen godkänd: {{reference}}', body: ['Din remiss {{reference}} godkändes. Ärendet behandlas på mötet {{startsAt}}.'], linkLabel: 'Öppna remissen' },
    en: { subject: 'Referral accepted: {{reference}}', body: ['Your referral {{reference}} was accepted. The case will be heard at the conference on {{startsAt}}.'], linkLabel: 'Open the referral' },
  },
];
