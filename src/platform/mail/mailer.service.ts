import { mkdir, writeFile, access, constants } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable Message-ID (derived from the notification's idempotency key) so duplicates are recognisable. */
  messageId?: string;
  attachments?: Mail.Attachment[];
}

/**
 * Sends mail over SMTP (`SMTP_URL`), or outside production without SMTP writes each message
 * as an `.eml` file under `<dataDir>/mail/` so development needs no mail server.
 */
@Injectable()
export class MailerService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailerService.name);
  private readonly transport: Transporter;
  readonly mode: 'smtp' | 'file';
  readonly mailDir: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.mailDir = path.resolve(config.dataDir, 'mail');
    if (config.smtpUrl) {
      this.mode = 'smtp';
      // Short timeouts: a send holds a worker slot, and a mail server that hangs is a failed
      // attempt to retry later (nodemailer's defaults wait up to 2 and 10 minutes).
      this.transport = nodemailer.createTransport(
        { url: config.smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 },
        { from: config.mailFrom },
      );
    } else {
      this.mode = 'file';
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }, { from: config.mailFrom });
    }
  }

  async send(mail: OutgoingMail): Promise<{ messageId: string }> {
    const info = await this.transport.sendMail({
      from: this.config.mailFrom,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      attachments: mail.attachments,
    });
    if (this.mode === 'file') {
      await mkdir(this.mailDir, { recursive: true });
      const safeId = String(info.messageId).replace(/[^A-Za-z0-9._-]/g, '_');
      await writeFile(path.join(this.mailDir, `${Date.now()}-${safeId}.eml`), info.message as Buffer);
    }
    return { messageId: String(info.messageId) };
  }

  /** Health: SMTP answers (EHLO and auth), or the mail directory is writable. */
  async verify(): Promise<void> {
    if (this.mode === 'smtp') {
      await this.transport.verify();
      return;
    }
    await mkdir(this.mailDir, { recursive: true });
    await access(this.mailDir, constants.W_OK);
  }

  /** Last phase of shutdown: workers have finished their sends by then. */
  onApplicationShutdown(): void {
    this.transport.close();
  }

  describe(): string {
    return this.mode === 'smtp' ? 'SMTP' : `files in ${this.mailDir}`;
  }

  logMode(): void {
    if (this.mode === 'file') this.logger.log(`SMTP_URL is not set: mail is written as .eml files under ${this.mailDir}`);
  }
}
