import { createTransport } from 'nodemailer';
import type { Logger } from '../logger.ts';

/** A message to a team member: a password-reset link or an invitation. */
export interface TeamMail {
  to: string;
  subject: string;
  text: string;
  /** The link the message is about, printed on its own line when there is no mail transport. */
  link: string;
}

/** Sends (or, without a mail transport, logs) a message to a team member. */
export type Mailer = (mail: TeamMail) => Promise<void>;

/**
 * Without a mail transport, the link is printed to the server log, so that whoever runs the server
 * can hand it over (README, "Team sign-in").
 *
 * @example
 * const mail = logMailer(logger)
 * await mail({ to: 'ana@acme.com', subject: 'Reset', text: '...', link: 'https://...' })
 */
export function logMailer(logger: Logger): Mailer {
  return async (mail) => {
    logger.info(`mail to ${mail.to} (no SMTP_URL set, so printed here): ${mail.subject}\n  ${mail.link}`);
  };
}

/**
 * Sends by SMTP (`SMTP_URL`, e.g. `smtps://user:pass@smtp.example.com:465`), from `from`
 * (`MAIL_FROM`). A message that cannot be sent is logged, never the link it carries.
 *
 * @example
 * const mail = smtpMailer('smtp://localhost:2525', 'Waymark <waymark@acme.com>', logger)
 */
export function smtpMailer(url: string, from: string, logger: Logger): Mailer {
  const transport = createTransport(url);
  return async (mail) => {
    try {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    } catch (error) {
      logger.error(`could not mail ${mail.to} (${mail.subject})`, error);
    }
  };
}
