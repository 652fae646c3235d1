import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/app-config.js';
import { MailerService } from '../../src/platform/mail/mailer.service.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';

describe('MailerService', () => {
  it('delivers over SMTP with the Message-ID it is given, and its attachments', async () => {
    const smtp = await new SmtpCatcher().start();
    const mailer = new MailerService(loadConfig({ SMTP_URL: smtp.url, MAIL_FROM: 'MARAK <noreply@marak.test>' }));
    try {
      await mailer.send({
        to: 'poliisi@agency.test',
        subject: 'Uusi toimenpide tapauksessa MRK-2027-00042',
        text: 'Avaa: https://marak.test/cases/1',
        messageId: '<notification-123@marak.test>',
        attachments: [{ filename: 'kokous.ics', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n', contentType: 'text/calendar' }],
      });
      const [mail] = await smtp.waitForMails(1);
      expect(mail.to).toEqual(['poliisi@agency.test']);
      expect(mail.from).toBe('noreply@marak.test');
      expect(mail.subject).toBe('Uusi toimenpide tapauksessa MRK-2027-00042');
      expect(mail.messageId).toBe('<notification-123@marak.test>');
      expect(mail.attachments[0]).toMatchObject({ filename: 'kokous.ics', contentType: 'text/calendar' });
    } finally {
      mailer.onApplicationShutdown();
      await smtp.stop();
    }
  });

  it('reports an SMTP refusal as an error, not as sent', async () => {
    const smtp = await new SmtpCatcher().start();
    smtp.refuse();
    const mailer = new MailerService(loadConfig({ SMTP_URL: smtp.url }));
    try {
      await expect(mailer.send({ to: 'a@agency.test', subject: 's', text: 't' })).rejects.toThrow(/451/);
      expect(smtp.mails).toHaveLength(0);
    } finally {
      mailer.onApplicationShutdown();
      await smtp.stop();
    }
  });

  it('writes .eml files under <data dir>/mail when SMTP_URL is not set', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'marak-mail-'));
    const mailer = new MailerService(loadConfig({ MARAK_DATA_DIR: dataDir }));
    try {
      expect(mailer.mode).toBe('file');
      await mailer.verify();
      await mailer.send({ to: 'a@agency.test', subject: 'Agenda published', text: 'MRK-2027-00001', messageId: '<n-1@marak.test>' });
      const files = await readdir(path.join(dataDir, 'mail'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      const eml = await readFile(path.join(dataDir, 'mail', files[0]), 'utf8');
      expect(eml).toMatch(/^Subject: Agenda published$/m);
      expect(eml).toMatch(/^Message-ID: <n-1@marak.test>$/m);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
