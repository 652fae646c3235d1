import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem.js';

const PARSER_PROBLEMS: Record<string, { status: number; slug: string; title: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    slug: 'request-header-fields-too-large',
    title: 'Request Header Fields Too Large',
    detail: 'The request line and headers together are too large.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, slug: 'request-timeout', title: 'Request Timeout', detail: 'The request was not received in time.' },
};
const MALFORMED = { status: 400, slug: 'malformed-request', title: 'Bad Request', detail: 'The request is not well-formed HTTP.' };

/**
 * Node's HTTP parser refuses some requests before Express sees them (headers over the size
 * limit, malformed request lines) and answers them with a bare status line. This `clientError`
 * listener answers them as every other refusal is answered: application/problem+json, nothing
 * of the request quoted.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const p = PARSER_PROBLEMS[err.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ type: problemType(p.slug), title: p.title, status: p.status, detail: p.detail });
  socket.end(
    `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
