/**
 * The minutes as a PDF (pdfkit): the same content as the JSON the reader may see, laid out for
 * printing. No Nest; the only I/O is reading the font once. Streams are left uncompressed:
 * minutes are short, and the text stays searchable by tools that do not inflate streams.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MinutesDto } from './dto/conference.dto.js';

const FONT = join('assets', 'fonts', 'DejaVuSans.ttf');

/**
 * pdfkit, loaded on the first minutes PDF rather than at start-up: with fontkit, brotli and its
 * font tables it is about 5.6 MB of live heap (the app's modules were 51 MB with it, 43.7 MB
 * without it and the password word lists), which every full GC of every API process would
 * otherwise mark again, for a document asked for around each monthly conference
 * (bench/RESULTS.md, 2026-12-05 session from 07:56 UTC). The first PDF of a process pays for the
 * import: 167–226 ms, once. An import that failed is tried again by the next PDF.
 */
const loadPdfkit = () => import('pdfkit');
let pdfkit: ReturnType<typeof loadPdfkit> | undefined;
let font: Buffer | undefined;

/**
 * DejaVu Sans (assets/fonts, Bitstream Vera licence), embedded as a subset: names and free text
 * may be in Sámi (č đ ŋ š ž), Cyrillic or any other script it covers, which pdfkit's built-in
 * Helvetica (WinAnsi only) would garble. Found by walking up from this module, so it is the same
 * file whether run from src/ or from the build in dist/src/.
 */
function bodyFont(): Buffer {
  if (font) return font;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, FONT);
    if (existsSync(candidate)) return (font = readFileSync(candidate));
    if (dirname(dir) === dir) throw new Error(`minutes-pdf: ${FONT} not found in ${start} or any folder above it`);
  }
}

const HELSINKI = new Intl.DateTimeFormat('fi-FI', {
  timeZone: 'Europe/Helsinki',
  day: 'numeric',
  month: 'numeric',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const at = (instant: string | null) => (instant ? `${HELSINKI.format(new Date(instant))} (Helsinki)` : '-');

/**
 * Renders the minutes. `agencyNames` names the agencies of the actions (ids the reader may see);
 * an agency without a name is shown by its id.
 */
export async function renderMinutesPdf(m: MinutesDto, opts: { groupName: string; agencyNames: Map<string, string> }): Promise<Buffer> {
  const { default: PDFDocument } = await (pdfkit ??= loadPdfkit().catch((err: unknown) => {
    pdfkit = undefined;
    throw err;
  }));
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    compress: false,
    info: { Title: `MARAK minutes ${m.conference.id}`, Subject: 'MARAK conference minutes', Creator: 'MARAK' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', bodyFont());
  doc.font('body');
  const agency = (id: string) => opts.agencyNames.get(id) ?? id;
  const c = m.conference;

  doc.fontSize(18).text('MARAK conference minutes');
  doc.moveDown(0.3).fontSize(11).text(opts.groupName);
  doc.moveDown();
  doc.fontSize(10);
  doc.text(`Meeting: ${at(c.startsAt)} - ${at(c.endsAt)}${c.extraordinary ? ' (extraordinary)' : ''}`);
  doc.text(`Location: ${c.location ?? '-'}`);
  doc.text(`Status: ${c.status}. Started: ${at(c.startedAt)}. Concluded: ${at(c.concludedAt)}.`);
  doc.text(`Conference id: ${c.id}`);

  doc.moveDown().fontSize(13).text('Attendance');
  doc.fontSize(10);
  if (m.attendance.length === 0) doc.text('No attendance recorded.');
  for (const a of m.attendance) {
    const ack = a.confidentialityAcknowledged ? `confidentiality acknowledged ${at(a.acknowledgedAt)}` : 'confidentiality not acknowledged';
    doc.text(`${a.agencyName}${a.userId ? ` (attendee ${a.userId})` : ''}: ${a.present ? 'present' : 'absent'}, ${ack}`);
  }

  doc.moveDown().fontSize(13).text('Agenda');
  for (const item of m.items) {
    doc.moveDown(0.5).fontSize(11).text(`${item.position + 1}. ${item.caseReference}  [${item.kind}, ${item.status}]  slot ${at(item.slotStartsAt)}`);
    doc.fontSize(10);
    if (item.restricted) {
      doc.text('Restricted case: only the reference and the agencies involved are shown.');
      if (item.agencies.length) doc.text(`Agencies involved: ${item.agencies.map(agency).join(', ')}`);
    }
    if (item.outcome) {
      doc.text(`Risk level: ${item.outcome.riskLevel} (recorded ${at(item.outcome.recordedAt)})`);
      doc.text(`Risk summary: ${item.outcome.riskSummary}`);
    }
    if (item.deferral) {
      doc.text(`Deferred (${at(item.deferral.recordedAt)})${item.deferral.deferredTo ? ` to conference ${item.deferral.deferredTo}` : ''}. Reason: ${item.deferral.reason}`);
    }
    for (const action of item.actions) {
      doc.text(`- ${agency(action.agencyId)}, due ${action.dueDate}, ${action.status}${action.description ? `: ${action.description}` : ''}`, { indent: 12 });
    }
  }
  doc.end();
  return done;
}
