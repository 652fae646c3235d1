import type { NotificationTemplate } from './template-types.js';

const MEETING = { groupName: 'organisation', startsAt: 'instant', endsAt: 'instant', conferenceId: 'uuid', path: 'path' } as const;
const CALENDAR = { start: 'startsAt', end: 'endsAt', uid: 'conferenceId' };
const TITLE = { fi: 'MARAK-kokous: {{groupName}}', sv: 'MARAK-möte: {{groupName}}', en: 'MARAK conference: {{groupName}}' };

export const CONFERENCE_TEMPLATES: NotificationTemplate[] = [
  {
    kind: 'conference.agenda-published',
    params: { ...MEETING, agencyName: 'organisation', caseCount: 'count' },
    calendar: CALENDAR,
    fi: {
      subject: 'MARAK-kokouksen asialista julkaistu: {{startsAt}}',
      body: [
        'Ryhmän {{groupName}} MARAK-kokouksen ({{startsAt}}) asialista on julkaistu. Asialistalla on {{caseCount}} tapausta.',
        'Selvittäkää ennen kokousta, mitä organisaatiollanne {{agencyName}} on tiedossa asialistan tapauksista. Kokous on liitteenä kalenterimerkintänä.',
      ],
      linkLabel: 'Avaa asialista',
      calendarTitle: TITLE.fi,
    },
    sv: {
      subject: 'Föredragningslistan för MARAK-mötet har publicerats: {{startsAt}}',
      body: [
        'Föredragningslistan för gruppens {{groupName}} MARAK-möte ({{startsAt}}) har publicerats. Den omfattar {{caseCount}} ärenden.',
        'Gå före mötet igenom vad {{agencyName}} känner till om ärendena. Mötet finns bifogat som kalenderhändelse.',
      ],
      linkLabel: 'Öppna föredragningslistan',
      calendarTitle: TITLE.sv,
    },
    en: {
      subject: 'MARAK agenda published: {{startsAt}}',
      body: [
        'The agenda of the {{groupName}} MARAK conference ({{startsAt}}) has been published, with {{caseCount}} cases.',
        'Before the meeting, please research what {{agencyName}} knows about them. The meeting is attached as a calendar event.',
      ],
      linkLabel: 'Open the agenda',
      calendarTitle: TITLE.en,
    },
  },
  {
    kind: 'conference.reminder',
    params: MEETING,
    calendar: CALENDAR,
    fi: {
      subject: 'Muistutus: MARAK-kokous {{startsAt}}',
      body: ['Ryhmän {{groupName}} MARAK-kokous pidetään {{startsAt}}. Muistathan sitoutua luottamuksellisuuteen ennen tapausten käsittelyä.'],
      linkLabel: 'Avaa kokous',
      calendarTitle: TITLE.fi,
    },
    sv: {
      subject: 'Påminnelse: MARAK-möte {{startsAt}}',
      body: ['Gruppens {{groupName}} MARAK-möte hålls {{startsAt}}. Kom ihåg att förbinda dig till sekretess innan ärendena behandlas.'],
      linkLabel: 'Öppna mötet',
      calendarTitle: TITLE.sv,
    },
    en: {
      subject: 'Reminder: MARAK conference {{startsAt}}',
      body: ['The {{groupName}} MARAK conference takes place on {{startsAt}}. Attendees acknowledge confidentiality before any case is discussed.'],
      linkLabel: 'Open the conference',
      calendarTitle: TITLE.en,
    },
  },
  {
    kind: 'conference.victim-views-reminder',
    params: { reference: 'reference', startsAt: 'instant', path: 'path' },
    fi: {
      subject: 'Muistutus: uhrin näkemykset, tapaus {{reference}}',
      body: ['Tapaus {{reference}} käsitellään MARAK-kokouksessa {{startsAt}}. Uhrin näkemyksiä ja toiveita ei ole vielä kirjattu.'],
      linkLabel: 'Avaa tapaus',
    },
    sv: {
      subject: 'Påminnelse: offrets synpunkter, ärende {{reference}}',
      body: ['Ärende {{reference}} behandlas på MARAK-mötet {{startsAt}}. Offrets synpunkter och önskemål har ännu inte registrerats.'],
      linkLabel: 'Öppna ärendet',
    },
    en: {
      subject: "Reminder: the victim's views, case {{reference}}",
      body: ["Case {{reference}} will be heard at the MARAK conference on {{startsAt}}. The victim's views and wishes have not been recorded yet."],
      linkLabel: 'Open the case',
    },
  },
  {
    kind: 'conference.victim-views-request',
    params: { reference: 'reference', startsAt: 'instant', path: 'path' },
    fi: {
      subject: 'Uhrin näkemyksiä pyydetään: tapaus {{reference}}',
      body: [
        'Tapaus {{reference}} on MARAK-kokouksen {{startsAt}} asialistalla, ja organisaationne on nimetty tapauksen tukihenkilötahoksi.',
        'Tapaakaa uhri ennen kokousta, kun se on turvallista, ja kirjatkaa hänen näkemyksensä ja toiveensa sovellukseen.',
      ],
      linkLabel: 'Avaa tapaus',
    },
    sv: {
      subject: 'Offrets synpunkter efterfrågas: ärende {{reference}}',
      body: [
        'Ärende {{reference}} finns på föredragningslistan för MARAK-mötet {{startsAt}}, och er organisation är ärendets stödperson.',
        'Träffa offret före mötet när det är säkert och registrera offrets synpunkter och önskemål i tjänsten.',
      ],
      linkLabel: 'Öppna ärendet',
    },
    en: {
      subject: "The victim's views are requested: case {{reference}}",
      body: [
        'Case {{reference}} is on the agenda of the MARAK conference on {{startsAt}}, and your organisation is named as its advocate.',
        "Please meet the victim before the meeting, when it is safe to do so, and record the victim's views and wishes in the application.",
      ],
      linkLabel: 'Open the case',
    },
  },
];
