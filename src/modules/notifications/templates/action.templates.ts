import type { NotificationTemplate } from './template-types.js';

const ACTION = { reference: 'reference', agencyName: 'organisation', path: 'path' } as const;
const ACTION_DUE = { ...ACTION, dueDate: 'date' } as const;

function overdue(kind: string, audience: 'agency' | 'group'): NotificationTemplate {
  const own = audience === 'agency';
  return {
    kind,
    params: ACTION_DUE,
    fi: {
      subject: 'Myöhässä oleva toimenpide: {{reference}}',
      body: [
        own
          ? 'Organisaationne {{agencyName}} toimenpiteen määräpäivä tapauksessa {{reference}} oli {{dueDate}}, eikä toimenpidettä ole merkitty tehdyksi.'
          : 'Organisaation {{agencyName}} toimenpide tapauksessa {{reference}} on myöhässä: määräpäivä oli {{dueDate}}.',
        own ? 'Merkitse toimenpide tehdyksi tai kerro, miksi se ei ole mahdollinen.' : 'Toimenpide otetaan esiin seuraavan kokouksen asialistalla.',
      ],
      linkLabel: 'Avaa toimenpide',
    },
    sv: {
      subject: 'Försenad åtgärd: {{reference}}',
      body: [
        own
          ? 'Förfallodagen för åtgärden för {{agencyName}} i ärende {{reference}} var {{dueDate}} och åtgärden har inte markerats som utförd.'
          : 'Åtgärden för {{agencyName}} i ärende {{reference}} är försenad: förfallodagen var {{dueDate}}.',
        own ? 'Markera åtgärden som utförd eller berätta varför den inte är möjlig.' : 'Åtgärden tas upp på nästa mötes föredragningslista.',
      ],
      linkLabel: 'Öppna åtgärden',
    },
    en: {
      subject: 'Overdue action: {{reference}}',
      body: [
        own
          ? 'The action for {{agencyName}} in case {{reference}} was due on {{dueDate}} and has not been marked completed.'
          : 'The action for {{agencyName}} in case {{reference}} is overdue: it was due on {{dueDate}}.',
        own ? 'Please complete it, or record why it is not possible.' : 'It will be listed for review on the next conference agenda.',
      ],
      linkLabel: 'Open the action',
    },
  };
}

export const ACTION_TEMPLATES: NotificationTemplate[] = [
  {
    kind: 'action.assigned',
    params: ACTION_DUE,
    fi: {
      subject: 'Uusi toimenpide: {{reference}}',
      body: [
        'MARAK-kokous kirjasi toimenpiteen organisaatiollenne {{agencyName}} tapauksessa {{reference}}.',
        'Määräpäivä on {{dueDate}}. Kuittaa toimenpide vastaanotetuksi sovelluksessa.',
      ],
      linkLabel: 'Avaa toimenpide',
    },
    sv: {
      subject: 'Ny åtgärd: {{reference}}',
      body: ['MARAK-mötet har registrerat en åtgärd för {{agencyName}} i ärende {{reference}}.', 'Förfallodagen är {{dueDate}}. Bekräfta åtgärden i tjänsten.'],
      linkLabel: 'Öppna åtgärden',
    },
    en: {
      subject: 'New action: {{reference}}',
      body: ['The MARAK conference recorded an action for {{agencyName}} in case {{reference}}.', 'It is due on {{dueDate}}. Please acknowledge it in the application.'],
      linkLabel: 'Open the action',
    },
  },
  {
    kind: 'action.acknowledge-reminder',
    params: ACTION,
    fi: {
      subject: 'Muistutus: kuittaa toimenpide {{reference}}',
      body: ['Organisaatiollenne {{agencyName}} kirjattua toimenpidettä tapauksessa {{reference}} ei ole vielä kuitattu vastaanotetuksi.'],
      linkLabel: 'Avaa toimenpide',
    },
    sv: {
      subject: 'Påminnelse: bekräfta åtgärd {{reference}}',
      body: ['Åtgärden för {{agencyName}} i ärende {{reference}} har ännu inte bekräftats.'],
      linkLabel: 'Öppna åtgärden',
    },
    en: {
      subject: 'Reminder: acknowledge action {{reference}}',
      body: ['The action for {{agencyName}} in case {{reference}} has not been acknowledged yet.'],
      linkLabel: 'Open the action',
    },
  },
  {
    kind: 'action.acknowledge-escalation',
    params: ACTION,
    fi: {
      subject: 'Kuittaamaton toimenpide: {{reference}}',
      body: ['Organisaatio {{agencyName}} ei ole kuitannut toimenpidettään tapauksessa {{reference}} määräajassa.'],
      linkLabel: 'Avaa toimenpide',
    },
    sv: {
      subject: 'Obekräftad åtgärd: {{reference}}',
      body: ['{{agencyName}} har inte bekräftat sin åtgärd i ärende {{reference}} inom tidsfristen.'],
      linkLabel: 'Öppna åtgärden',
    },
    en: {
      subject: 'Unacknowledged action: {{reference}}',
      body: ['{{agencyName}} has not acknowledged its action in case {{reference}} in time.'],
      linkLabel: 'Open the action',
    },
  },
  {
    kind: 'action.due-reminder',
    params: ACTION_DUE,
    fi: {
      subject: 'Toimenpiteen määräpäivä lähestyy: {{reference}}',
      body: ['Organisaationne {{agencyName}} toimenpide tapauksessa {{reference}} erääntyy {{dueDate}}.'],
      linkLabel: 'Avaa toimenpide',
    },
    sv: {
      subject: 'Åtgärdens förfallodag närmar sig: {{reference}}',
      body: ['Åtgärden för {{agencyName}} i ärende {{reference}} förfaller {{dueDate}}.'],
      linkLabel: 'Öppna åtgärden',
    },
    en: {
      subject: 'Action due soon: {{reference}}',
      body: ['The action for {{agencyName}} in case {{reference}} is due on {{dueDate}}.'],
      linkLabel: 'Open the action',
    },
  },
  overdue('action.overdue.agency', 'agency'),
  overdue('action.overdue.coordinator', 'group'),
  overdue('action.overdue.chair', 'group'),
];
