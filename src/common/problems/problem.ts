export const PROBLEM_BASE = 'https://marak.example/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export function problemType(slug: string): string {
  return `${PROBLEM_BASE}${slug}`;
}

/**
 * A refusal the domain means to give: a stable `type` naming the rule, a status, and a
 * detail written for the user. Details must never contain personal data.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = 'Problem';
  }

  get type(): string {
    return problemType(this.slug);
  }

  toBody(instance?: string): ProblemBody {
    return {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
    };
  }

  static conflict(slug: string, detail: string, extensions?: Record<string, unknown>): Problem {
    return new Problem(409, slug, 'Conflict', detail, extensions);
  }

  static unprocessable(slug: string, title: string, detail?: string, extensions?: Record<string, unknown>): Problem {
    return new Problem(422, slug, title, detail, extensions);
  }

  static notFound(what = 'The resource'): Problem {
    return new Problem(404, 'not-found', 'Not Found', `${what} does not exist or is not visible to you.`);
  }
}

/** Titles and slugs for plain HTTP statuses (used when no domain problem applies). */
export const STATUS_PROBLEMS: Record<number, { slug: string; title: string }> = {
  400: { slug: 'bad-request', title: 'Bad Request' },
  401: { slug: 'unauthenticated', title: 'Unauthorized' },
  403: { slug: 'forbidden', title: 'Forbidden' },
  404: { slug: 'not-found', title: 'Not Found' },
  405: { slug: 'method-not-allowed', title: 'Method Not Allowed' },
  406: { slug: 'not-acceptable', title: 'Not Acceptable' },
  409: { slug: 'conflict', title: 'Conflict' },
  413: { slug: 'payload-too-large', title: 'Payload Too Large' },
  415: { slug: 'unsupported-media-type', title: 'Unsupported Media Type' },
  422: { slug: 'unprocessable', title: 'Unprocessable Content' },
  429: { slug: 'rate-limited', title: 'Too Many Requests' },
  500: { slug: 'internal', title: 'Internal Server Error' },
  503: { slug: 'service-unavailable', title: 'Service Unavailable' },
};
