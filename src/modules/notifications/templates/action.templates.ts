import type { NotificationTemplate } from './template-types.js';

/** Every action mail names the case, the agency, the due date and links to the action. */
const ACTION = { reference: 'reference', agencyName: 'organisation', path: 'path', dueDate: 'date' } as const;

function overdue(kind: string, audience: 'agency' | 'group'): NotificationTemplate {
  const own = audience === 'agency';
  return {
    kind,
    params: ACTION,
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


function toGroup(kind: string, fi: string, sv: string, en: string): NotificationTemplate {
  return {
    kind,
    params: ACTION,
    fi: { subject: `${fi}: {{reference}}`, body: [`Organisaatio {{agencyName}}: ${fi.toLowerCase()} tapauksessa {{reference}} (määräpäivä {{dueDate}}).`, 'Koordinaattorin tulee siirtää toimenpide toiselle organisaatiolle tai perua se; syy näkyy sovelluksessa.'], linkLabel: 'Avaa toimenpide' },
    sv: { subject: `${sv}: {{reference}}`, body: [`{{agencyName}}: ${sv.toLowerCase()} i ärende {{reference}} (förfallodag {{dueDate}}).`, 'Koordinatorn ska flytta åtgärden till en annan organisation eller annullera den; orsaken syns i tjänsten.'], linkLabel: 'Öppna åtgärden' },
    en: { subject: `${en}: {{reference}}`, body: [`{{agencyName}}: ${en.toLowerCase()} in case {{reference}} (due {{dueDate}}).`, 'The coordinator should reassign or cancel the action; the reason is shown in the application.'], linkLabel: 'Open the action' },
  };
}

export const ACTION_TEMPLATES: NotificationTemplate[] = [
  {
    kind: 'action.assigned',
    params: ACTION,
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
      body: ['Organisaatiollenne {{agencyName}} kirjattua toimenpidettä tapauksessa {{reference}} (määräpäivä {{dueDate}}) ei ole vielä kuitattu vastaanotetuksi.'],
      linkLabel: 'Avaa toimenpide',
    },
    sv: {
      subject: 'Påminnelse: bekräfta åtgärd {{reference}}',
      body: ['Åtgärden för {{agencyName}} i ärende {{reference}} (förfallodag {{dueDate}}) har ännu inte bekräftats.'],
      linkLabel: 'Öppna åtgärden',
    },
    en: {
      subject: 'Reminder: acknowledge action {{reference}}',
      body: ['The action for {{agencyName}} in case {{reference}} (due {{dueDate}}) has not been acknowledged yet.'],
      linkLabel: 'Open the action',
    },
  },
  {
    kind: 'action.acknowledge-escalation',
    params: ACTION,
    fi: {
      subject: 'Kuittaamaton toimenpide: {{reference}}',
      body: ['Organisaatio {{agencyName}} ei ole kuitannut toimenpidettään tapauksessa {{reference}} määräajassa (määräpäivä {{dueDate}}).'],
      linkLabel: 'Avaa toimenpide',
    },
    sv: {
      subject: 'Obekräftad åtgärd: {{reference}}',
      body: ['{{agencyName}} har inte bekräftat sin åtgärd i ärende {{reference}} inom tidsfristen (förfallodag {{dueDate}}).'],
      linkLabel: 'Öppna åtgärden',
    },
    en: {
      subject: 'Unacknowledged action: {{reference}}',
      body: ['{{agencyName}} has not acknowledged its action in case {{reference}} in time (due {{dueDate}}).'],
      linkLabel: 'Open the action',
    },
  },
  {
    kind: 'action.due-reminder',
    params: ACTION,
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
  toGroup('action.declined', 'Toimenpide hylätty', 'Åtgärd avböjd', 'Action declined'),
  toGroup('action.not-possible', 'Toimenpide ei mahdollinen', 'Åtgärd inte möjlig', 'Action not possible'),
  {
    kind: 'action.withdrawn',
    params: ACTION,
    fi: {
      subject: 'Toimenpide peruttu: {{reference}}',
      body: ['Organisaationne {{agencyName}} toimenpide tapauksessa {{reference}} (määräpäivä {{dueDate}}) on peruttu tai siirretty toiselle organisaatiolle. Teiltä ei tarvita enää toimia.'],
      linkLabel: 'Avaa toimenpiteet',
    },
    sv: {
      subject: 'Åtgärd annullerad: {{reference}}',
      body: ['Åtgärden för {{agencyName}} i ärende {{reference}} (förfallodag {{dueDate}}) har annullerats eller flyttats till en annan organisation. Inget mer krävs av er.'],
      linkLabel: 'Öppna åtgärderna',
    },
    en: {
      subject: 'Action withdrawn: {{reference}}',
      body: ['The action for {{agencyName}} in case {{reference}} (due {{dueDate}}) was cancelled or moved to another agency. Nothing more is needed from you.'],
      linkLabel: 'Open your actions',
    },
  },
  {
    kind: 'action.changed',
    params: ACTION,
    fi: {
      subject: 'Toimenpidettä muutettu: {{reference}}',
      body: ['Organisaationne {{agencyName}} toimenpidettä tapauksessa {{reference}} on muutettu. Määräpäivä on nyt {{dueDate}}.'],
      linkLabel: 'Avaa toimenpide',
    },
    sv: {
      subject: 'Åtgärd ändrad: {{reference}}',
      body: ['Åtgärden för {{agencyName}} i ärende {{reference}} har ändrats. Förfallodagen är nu {{dueDate}}.'],
      linkLabel: 'Öppna åtgärden',
    },
    en: {
      subject: 'Action changed: {{reference}}',
      body: ['The action for {{agencyName}} in case {{reference}} was changed. It is now due on {{dueDate}}.'],
      linkLabel: 'Open the action',
    },
  },
  {
    kind: 'action.digest',
    params: { agencyName: 'organisation', count: 'count', references: 'references', path: 'path' },
    fi: {
      subject: 'MARAK-toimenpiteet: {{count}} odottaa organisaatiotanne',
      body: ['Organisaationne {{agencyName}} {{count}} toimenpidettä tarvitsee huomiota tänään (kuittaus, lähestyvä tai ohitettu määräpäivä).', 'Tapaukset: {{references}}.'],
      linkLabel: 'Avaa toimenpiteet',
    },
    sv: {
      subject: 'MARAK-åtgärder: {{count}} väntar på er organisation',
      body: ['{{count}} åtgärder för {{agencyName}} behöver uppmärksamhet i dag (bekräftelse, förfallodag som närmar sig eller har passerats).', 'Ärenden: {{references}}.'],
      linkLabel: 'Öppna åtgärderna',
    },
    en: {
      subject: 'MARAK actions: {{count}} waiting for your agency',
      body: ['{{count}} actions of {{agencyName}} need attention today (acknowledgement, a due date near or passed).', 'Cases: {{references}}.'],
      linkLabel: 'Open your actions',
    },
  },
];
