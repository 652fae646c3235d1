import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  messageId: string;
  attachments: { filename?: string; contentType: string; content: Buffer }[];
  raw: string;
}

/**
 * A real SMTP server inside the test process (the `smtp-server` package): mails the product
 * sends arrive here over TCP and are parsed with `mailparser`. `refuse()` makes it answer
 * 451 to every message, as a mail server in trouble would; `accept()` lets mail through again.
 */
export class SmtpCatcher {
  readonly mails: CaughtMail[] = [];
  private server?: SMTPServer;
  private refusing = false;
  private waiters: Array<{ done: () => boolean; resolve: () => void }> = [];
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onMailFrom: (_address, _session, callback) => {
        if (this.refusing) {
          const err = new Error('Mailbox temporarily unavailable') as Error & { responseCode: number };
          err.responseCode = 451;
          return callback(err);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw)
            .then((parsed: ParsedMail) => {
              this.mails.push({
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                messageId: parsed.messageId ?? '',
                attachments: parsed.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
                raw: raw.toString('utf8'),
              });
              this.notify();
              callback();
            })
            .catch(callback);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = ((this.server as unknown as { server: { address(): AddressInfo } }).server.address()).port;
    return this;
  }

  refuse(): void {
    this.refusing = true;
  }

  accept(): void {
    this.refusing = false;
  }

  /** Resolves when `count` mails have arrived in all (event-driven; fails after `timeoutMs`). */
  async waitForMails(count: number, timeoutMs = 10_000): Promise<CaughtMail[]> {
    await this.until(() => this.mails.length >= count, () => `expected ${count} mails, got ${this.mails.length}`, timeoutMs);
    return this.mails.slice(0, count);
  }

  /** Resolves with the first mail that matches (already arrived or arriving within `timeoutMs`). */
  async waitForMail(matches: (m: CaughtMail) => boolean, timeoutMs = 10_000): Promise<CaughtMail> {
    await this.until(() => this.mails.some(matches), () => `no matching mail among ${this.mails.length}: ${this.mails.map((m) => `${m.to} ${m.subject}`).join(' | ')}`, timeoutMs);
    return this.mails.find(matches)!;
  }

  private async until(done: () => boolean, describe: () => string, timeoutMs: number): Promise<void> {
    if (done()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(describe())), timeoutMs);
      this.waiters.push({ done, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  private notify(): void {
    this.waiters = this.waiters.filter((w) => {
      if (w.done()) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }
}
