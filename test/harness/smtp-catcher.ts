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

export interface SmtpCatcherOptions {
  /**
   * Milliseconds between receiving a message's data and accepting it (recording it and answering
   * 250): a slow mail server, which makes "the sender dies while its mail is being accepted" a
   * real window for the chaos tests. Default 0.
   */
  acceptDelayMs?: number;
  /** How long `stop()` lets open connections finish before closing them (smtp-server's default is 30 s). */
  closeTimeoutMs?: number;
}

/**
 * A real SMTP server inside the test process (the `smtp-server` package): mails the product
 * sends arrive here over TCP and are parsed with `mailparser`. `refuse()` makes it answer
 * 451 to every message, as a mail server in trouble would; `accept()` lets mail through again.
 * `stop()` and `start(port)` take it down and bring it back on the same port.
 */
export class SmtpCatcher {
  readonly mails: CaughtMail[] = [];
  private server?: SMTPServer;
  private refusing = false;
  private waiters: Array<{ done: () => boolean; resolve: () => void }> = [];
  port = 0;
  acceptDelayMs: number;
  /** Messages whose data has arrived (accepted or still being accepted). */
  received = 0;
  /** Messages received but not yet accepted (within `acceptDelayMs`). */
  accepting = 0;
  /** Called when a message's data has arrived, before it is accepted. */
  onReceived?: (received: number) => void;

  constructor(private readonly options: SmtpCatcherOptions = {}) {
    this.acceptDelayMs = options.acceptDelayMs ?? 0;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      ...(this.options.closeTimeoutMs !== undefined ? { closeTimeout: this.options.closeTimeoutMs } : {}),
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
          this.received++;
          this.accepting++;
          this.onReceived?.(this.received);
          const accept = () =>
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
                this.accepting--;
                this.notify();
                callback();
              })
              .catch((err: Error) => {
                this.accepting--;
                callback(err);
              });
          if (this.acceptDelayMs > 0) setTimeout(accept, this.acceptDelayMs);
          else void accept();
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

  /** Resolves when no received message is still waiting to be accepted. */
  async settled(timeoutMs = 10_000): Promise<void> {
    await this.until(() => this.accepting === 0, () => `${this.accepting} messages still being accepted`, timeoutMs);
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
