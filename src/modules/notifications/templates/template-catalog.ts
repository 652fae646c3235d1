import Handlebars from 'handlebars';
import { createEvent } from 'ics';
import { isCalendarDate, parseCalendarDate } from '../../../../libs/business-calendar/index.js';
import { ACTION_TEMPLATES } from './action.templates.js';
import { CASE_TEMPLATES } from './case.templates.js';
import { REFERRAL_TEMPLATES } from './referral.templates.js';
import { CONFERENCE_TEMPLATES } from './conference.templates.js';
import { LOCALES, type Locale, type LocalizedTemplate, type NotificationTemplate, type ParamType } from './template-types.js';

/**
 * Notification templates are TypeScript constants compiled once by Handlebars at start: they are
 * type-checked with the code, need no copying into dist/, and each kind's parameters are
 * declared beside its texts. Text and HTML come from the same paragraphs (HTML-escaped for
 * HTML), so the two never drift apart.
 */
export const TEMPLATES: readonly NotificationTemplate[] = [...ACTION_TEMPLATES, ...CONFERENCE_TEMPLATES, ...CASE_TEMPLATES, ...REFERRAL_TEMPLATES];

export type NotificationParams = Record<string, string | number | string[]>;

export class NotificationParamsError extends Error {
  override name = 'NotificationParamsError';
}

const REFERENCE = /^[A-Z][A-Z0-9]{1,9}(-[A-Z0-9]{1,12}){1,3}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const PATH = /^\/[a-z0-9-]+(\/[a-z0-9-]+)*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// An organisation's name: letters, digits, spaces and a little punctuation; no e-mail addresses,
// no line breaks, no digits-with-a-dash that look like identity codes.
const ORGANISATION = /^[\p{L}\p{N}][\p{L}\p{N} .,&()'’/-]{0,149}$/u;
const IDENTITY_CODE_LIKE = /\d{6}[-+A-FU-Y]\d{3}/i;

function checkValue(type: ParamType, value: unknown): boolean {
  switch (type) {
    case 'reference':
      return typeof value === 'string' && REFERENCE.test(value);
    case 'organisation':
      return typeof value === 'string' && ORGANISATION.test(value) && !IDENTITY_CODE_LIKE.test(value);
    case 'date':
      return typeof value === 'string' && isCalendarDate(value);
    case 'instant':
      return typeof value === 'string' && INSTANT.test(value) && !Number.isNaN(Date.parse(value));
    case 'count':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 100_000;
    case 'path':
      return typeof value === 'string' && value.length <= 200 && PATH.test(value);
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'references':
      return Array.isArray(value) && value.length >= 1 && value.length <= 200 && value.every((v) => typeof v === 'string' && REFERENCE.test(v));
  }
}

export function templateOf(kind: string, opts: { includeTestOnly?: boolean } = {}): NotificationTemplate | undefined {
  const t = TEMPLATES.find((x) => x.kind === kind);
  return t && (!t.testOnly || opts.includeTestOnly) ? t : undefined;
}

/**
 * Checks parameters against the kind's declaration: every declared parameter present and of its
 * type, nothing else. Errors name the fields, never their values (which may be personal data).
 */
export function validateParams(template: NotificationTemplate, params: unknown): NotificationParams {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) throw new NotificationParamsError(`${template.kind}: params must be an object`);
  const given = params as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(given)) if (!(key in template.params)) problems.push(`${key} is not a parameter of this template`);
  for (const [key, type] of Object.entries(template.params)) {
    if (!(key in given)) problems.push(`${key} is required`);
    else if (!checkValue(type, given[key])) problems.push(`${key} must be a ${type}`);
  }
  if (problems.length) throw new NotificationParamsError(`${template.kind}: ${problems.join('; ')}`);
  return given as NotificationParams;
}

// --- rendering ---------------------------------------------------------------------------

const hbs = Handlebars.create();
const FOOTER: Record<Locale, string> = {
  fi: 'Tämä on MARAK-järjestelmän automaattinen viesti. Viesti ei sisällä henkilötietoja: kirjaudu sovellukseen nähdäksesi tiedot.',
  sv: 'Detta är ett automatiskt meddelande från MARAK. Det innehåller inga personuppgifter: logga in i tjänsten för att se uppgifterna.',
  en: 'This is an automatic message from MARAK. It carries no personal data: sign in to the application to see the details.',
};
const INTL_LOCALE: Record<Locale, string> = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };

const TEXT_LAYOUT = hbs.compile(`{{#each paragraphs}}{{{this}}}\n\n{{/each}}{{{linkLabel}}}: {{{link}}}\n\n-- \n{{{footer}}}\n`, { strict: true, noEscape: true });
const HTML_LAYOUT = hbs.compile(
  `<!doctype html>
<html lang="{{lang}}"><head><meta charset="utf-8"><title>{{subject}}</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
{{#each paragraphs}}<p>{{{this}}}</p>
{{/each}}<p><a href="{{link}}">{{linkLabel}}</a></p>
<hr><p style="color: #555; font-size: 90%">{{footer}}</p>
</body></html>
`,
  { strict: true },
);

interface Compiled {
  subject: HandlebarsTemplateDelegate;
  textBody: HandlebarsTemplateDelegate[];
  htmlBody: HandlebarsTemplateDelegate[];
  calendarTitle?: HandlebarsTemplateDelegate;
  linkLabel: string;
}

const compiled = new Map<string, Compiled>();

function compile(template: NotificationTemplate, locale: Locale): Compiled {
  const key = `${template.kind}/${locale}`;
  let c = compiled.get(key);
  if (!c) {
    const l: LocalizedTemplate = template[locale];
    c = {
      subject: hbs.compile(l.subject, { strict: true, noEscape: true }),
      textBody: l.body.map((p) => hbs.compile(p, { strict: true, noEscape: true })),
      htmlBody: l.body.map((p) => hbs.compile(p, { strict: true })),
      calendarTitle: l.calendarTitle ? hbs.compile(l.calendarTitle, { strict: true, noEscape: true }) : undefined,
      linkLabel: l.linkLabel,
    };
    compiled.set(key, c);
  }
  return c;
}

/** Compiles every template in every language (at start, so a broken template stops the boot). */
export function compileAllTemplates(): void {
  for (const t of TEMPLATES) for (const locale of LOCALES) compile(t, locale);
}

function formatValue(type: ParamType, value: string | number | string[], locale: Locale): string {
  const intl = INTL_LOCALE[locale];
  switch (type) {
    case 'date': {
      const { year, month, day } = parseCalendarDate(String(value));
      return new Intl.DateTimeFormat(intl, { day: 'numeric', month: locale === 'en' ? 'long' : 'numeric', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(Date.UTC(year, month - 1, day)),
      );
    }
    case 'instant':
      return new Intl.DateTimeFormat(intl, {
        weekday: 'short',
        day: 'numeric',
        month: locale === 'en' ? 'long' : 'numeric',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: 'Europe/Helsinki',
      }).format(new Date(String(value)));
    case 'references':
      return (value as string[]).join(', ');
    default:
      return String(value);
  }
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: string; contentType: string }>;
}

export interface RenderOptions {
  publicUrl: string;
}

/** Renders a notification. `params` must have passed `validateParams`. */
export function renderNotification(template: NotificationTemplate, locale: Locale, params: NotificationParams, opts: RenderOptions): RenderedMail {
  const c = compile(template, locale);
  const ctx: Record<string, string> = {};
  for (const [key, type] of Object.entries(template.params)) ctx[key] = formatValue(type, params[key], locale);
  const link = `${opts.publicUrl.replace(/\/+$/, '')}${String(params.path ?? '/')}`;
  const subject = c.subject(ctx).replace(/\s+/g, ' ').trim();
  const layout = { paragraphs: [] as string[], link, linkLabel: c.linkLabel, footer: FOOTER[locale], subject, lang: locale };
  const text = TEXT_LAYOUT({ ...layout, paragraphs: c.textBody.map((p) => p(ctx)) });
  const html = HTML_LAYOUT({ ...layout, paragraphs: c.htmlBody.map((p) => p(ctx)) });
  const attachments: RenderedMail['attachments'] = [];
  if (template.calendar) {
    const host = new URL(opts.publicUrl).hostname;
    const { error, value } = createEvent({
      uid: `conference-${params[template.calendar.uid]}@${host}`,
      start: Date.parse(String(params[template.calendar.start])),
      startInputType: 'utc',
      startOutputType: 'utc',
      end: Date.parse(String(params[template.calendar.end])),
      endInputType: 'utc',
      endOutputType: 'utc',
      title: c.calendarTitle ? c.calendarTitle(ctx) : subject,
      description: `${c.linkLabel}: ${link}`,
      url: link,
      method: 'PUBLISH',
      productId: 'marak/notifications',
      status: 'CONFIRMED',
      busyStatus: 'BUSY',
    });
    if (error || !value) throw new Error(`calendar event for ${template.kind} could not be built: ${error?.message ?? 'empty'}`);
    attachments.push({ filename: 'marak.ics', content: value, contentType: 'text/calendar; charset=utf-8; method=PUBLISH' });
  }
  return { subject, text, html, attachments };
}

/** Every variable a template's Handlebars source refers to (for the no-personal-data test). */
export function referencedVariables(source: string): string[] {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { type?: string; original?: string; parts?: string[] };
    if (n.type === 'PathExpression' && n.original) names.add(n.original);
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') visit(value);
    }
  };
  visit(Handlebars.parse(source));
  return [...names];
}
