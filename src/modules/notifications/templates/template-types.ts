export type Locale = 'fi' | 'sv' | 'en';
export const LOCALES: readonly Locale[] = ['fi', 'sv', 'en'];

/**
 * The only kinds of value a template parameter may hold. Each is checked on enqueue, so a name,
 * an identity code, an address or free text about a person cannot pass as one of them:
 * - `reference`: a case or conference reference in capitals and digits (`MRK-2026-00042`)
 * - `organisation`: an agency's or a MARAK group's own name
 * - `date`: a calendar date `YYYY-MM-DD` (Europe/Helsinki), shown in the mail's language
 * - `instant`: an ISO 8601 UTC instant, shown in Helsinki time in the mail's language
 * - `count`: a whole number
 * - `path`: an application path (`/cases/<uuid>`); the mail's link is `PUBLIC_URL` + path
 * - `uuid`: an id (used for calendar UIDs, never shown)
 * - `references`: a list of 1–200 references (a digest), shown comma-separated
 */
export type ParamType = 'reference' | 'organisation' | 'date' | 'instant' | 'count' | 'path' | 'uuid' | 'references';

export interface LocalizedTemplate {
  /** Handlebars; plain text (no HTML escaping). */
  subject: string;
  /** Handlebars paragraphs; rendered as plain text and, HTML-escaped, as HTML. */
  body: string[];
  /** Text of the link to the application. */
  linkLabel: string;
  /** Handlebars; title of the calendar event for kinds with `calendar`. */
  calendarTitle?: string;
}

export interface NotificationTemplate {
  kind: string;
  /** Every parameter the template may use; all are required, no other is accepted. */
  params: Record<string, ParamType>;
  /** Attach an iCalendar event built from these parameters (instants and the uuid for its UID). */
  calendar?: { start: string; end: string; uid: string };
  /** Exists only with MARAK_TEST_CLOCK=true. */
  testOnly?: boolean;
  fi: LocalizedTemplate;
  sv: LocalizedTemplate;
  en: LocalizedTemplate;
}
