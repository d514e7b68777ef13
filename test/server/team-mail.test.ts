import { createServer, type Server } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { smtpMailer } from '../../server/auth/mail.ts';
import { createLogger } from '../../server/logger.ts';
import { createHarness, type Harness } from './harness.ts';

/** The smallest SMTP server nodemailer talks to: it keeps each message's envelope and data. */
function smtpServer(received: { to: string; data: string }[]): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let to = '';
    socket.write('220 test ready\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          received.push({ to, data: buffer.slice(0, end) });
          buffer = buffer.slice(end + 5);
          inData = false;
          socket.write('250 queued\r\n');
          continue;
        }
        const line = buffer.indexOf('\r\n');
        if (line < 0) return;
        const command = buffer.slice(0, line);
        buffer = buffer.slice(line + 2);
        if (/^RCPT TO:/i.test(command)) to = /<([^>]+)>/.exec(command)?.[1] ?? '';
        if (/^DATA/i.test(command)) {
          inData = true;
          socket.write('354 go on\r\n');
        } else if (/^QUIT/i.test(command)) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    }),
  );
}

let h: Harness | undefined;
let smtp: Server | undefined;
afterEach(async () => {
  await h?.close();
  await new Promise((resolve) => smtp?.close(resolve));
});

it('mails the password-reset link through SMTP_URL', async () => {
  const received: { to: string; data: string }[] = [];
  const started = await smtpServer(received);
  smtp = started.server;
  const logger = createLogger('silent');
  h = await createHarness(undefined, {
    mail: smtpMailer(`smtp://127.0.0.1:${started.port}`, 'Waymark <waymark@acme.com>', logger),
  });
  const headers = { 'content-type': 'application/json', origin: 'http://localhost' };
  const setup = await h.app.request('/v1/setup', {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: 'Ana',
      email: 'ana@acme.com',
      password: 'correct horse battery',
      workspaceName: 'Acme',
    }),
  });
  expect(setup.status).toBe(201);
  const ask = await h.app.request('/api/auth/request-password-reset', {
    method: 'POST',
    headers,
    body: JSON.stringify({ email: 'ana@acme.com', redirectTo: '/app/reset-password' }),
  });
  expect(ask.status).toBe(200);
  await expect.poll(() => received.length).toBe(1);
  expect(received[0]?.to).toBe('ana@acme.com');
  // Quoted-printable: soft line breaks and `=` escaped.
  const text = (received[0]?.data ?? '').replace(/=\r\n/g, '').replace(/=3D/g, '=');
  expect(text).toMatch(/^From: Waymark <waymark@acme.com>$/m);
  expect(text).toMatch(/^Subject: Reset your Waymark password$/m);
  const token = /http:\/\/localhost\/api\/auth\/reset-password\/([\w-]+)\?callbackURL=/.exec(text)?.[1];
  expect(token).toBeTruthy();
  const reset = await h.app.request('/api/auth/reset-password', {
    method: 'POST',
    headers,
    body: JSON.stringify({ newPassword: 'a brand new password', token }),
  });
  expect(reset.status).toBe(200);
});
