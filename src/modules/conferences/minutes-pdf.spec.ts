import { pdfText } from '../../../test/harness/pdf-text.js';
import type { MinutesDto } from './dto/conference.dto.js';
import { renderMinutesPdf } from './minutes-pdf.js';

const CONFERENCE = '3eb16f41-9d84-4a76-8f5a-5c3f9a0a8d43';
const ITEM = '4fc27052-ae95-4b87-9a6b-6d4a0b1b9e54';
const CASE = '50d38163-bfa6-4c98-8b7c-7e5b1c2caf65';
const POLICE = '0b8e3c1e-6a51-4d43-9c27-2f0c6f7d5a10';
const SOCIAL = '1c9f4d2f-7b62-4e54-8d38-3a1d7e8e6b21';

/** Invented minutes whose free text and names are outside WinAnsi (Northern Sámi, Cyrillic). */
const minutes: MinutesDto = {
  conference: {
    id: CONFERENCE,
    groupId: '61e49274-c0b7-4da9-9c8d-8f6c2d3db076',
    startsAt: '2027-03-16T07:00:00.000Z',
    endsAt: '2027-03-16T09:00:00.000Z',
    location: 'Ohcejohka, čoahkkinlatnja',
    status: 'concluded',
    extraordinary: false,
    startedAt: '2027-03-16T07:05:00.000Z',
    concludedAt: '2027-03-16T08:40:00.000Z',
  },
  attendance: [{ agencyId: POLICE, agencyName: 'Lappi politiijat', userId: null, present: true, confidentialityAcknowledged: true, acknowledgedAt: '2027-03-16T07:00:00.000Z' }],
  items: [
    {
      itemId: ITEM,
      caseId: CASE,
      caseReference: 'MRK-2027-99001',
      position: 0,
      kind: 'new',
      status: 'heard',
      slotStartsAt: '2027-03-16T07:00:00.000Z',
      restricted: false,
      agencies: [SOCIAL],
      outcome: { riskLevel: 'high', riskSummary: 'Čđŋ: áššiid gieđahallan; Жертва боится.', recordedAt: '2027-03-16T07:20:00.000Z' },
      deferral: null,
      actions: [{ id: '72f5a3a5-d1c8-4eba-ad9e-9a7d3e4fc187', agencyId: SOCIAL, agencyName: 'Sosiálabálvalusat', description: 'Dorvoplána ráhkadeapmi.', dueDate: '2027-03-30', status: 'assigned' }],
    },
  ],
};

describe('renderMinutesPdf', () => {
  it('embeds a Unicode font, so Sámi and Cyrillic text comes out intact', async () => {
    const pdf = await renderMinutesPdf(minutes, { groupName: 'Sámi MARAK-joavku', agencyNames: new Map([[POLICE, 'Lappi politiijat'], [SOCIAL, 'Sosiálabálvalusat']]) });
    const raw = pdf.toString('latin1');
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\b/); // a subset of the embedded font ...
    expect(raw).toContain('/FontFile2');
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/); // ... and no fall-back to a standard one
    const text = pdfText(pdf);
    expect(text).toContain('Risk summary: Čđŋ: áššiid gieđahallan; Жертва боится.');
    expect(text).toContain('Sámi MARAK-joavku');
    expect(text).toContain('Location: Ohcejohka, čoahkkinlatnja');
    expect(text).toContain('Sosiálabálvalusat, due 2027-03-30, assigned: Dorvoplána ráhkadeapmi.');
    expect(text).not.toContain('\uFFFD');
  });
});
