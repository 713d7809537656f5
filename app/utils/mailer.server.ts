import nodemailer from "nodemailer";
import { deliverDueMail, type MailSink } from "../models/mail.server";
import { getDb } from "./db.server";
import { getEnv } from "./env.server";

/**
 * The mail worker: SMTP through nodemailer when SMTP_URL is set, else the development outbox (the
 * mail stays readable at /admin/outbox and is printed to the console).
 */
let cachedSink: { url: string | undefined; sink: MailSink } | undefined;

export function getMailSink(): MailSink {
  const { SMTP_URL, MAIL_FROM } = getEnv();
  if (cachedSink && cachedSink.url === SMTP_URL) return cachedSink.sink;
  let sink: MailSink;
  if (SMTP_URL) {
    const transport = nodemailer.createTransport(SMTP_URL);
    sink = {
      kind: "smtp",
      send: async (m) => {
        await transport.sendMail({
          from: MAIL_FROM,
          to: m.to,
          subject: m.subject,
          text: m.text,
          // RFC 8058 one-click unsubscribe: the mail client POSTs "List-Unsubscribe=One-Click".
          headers: m.listUnsubscribe
            ? {
                "List-Unsubscribe": `<${m.listUnsubscribe}>`,
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
              }
            : undefined,
        });
      },
    };
  } else {
    sink = {
      kind: "outbox",
      send: async (m) => {
        console.info(`[mail outbox] to ${m.to}: ${m.subject}\n${m.text}`);
      },
    };
  }
  cachedSink = { url: SMTP_URL, sink };
  return sink;
}

let running: Promise<void> | null = null;
let again = false;
let timer: NodeJS.Timeout | undefined;

/** Delivers what is due now, in the background; one run at a time per process. */
export function kickMailer(): void {
  if (running) {
    again = true;
    return;
  }
  running = (async () => {
    try {
      do {
        again = false;
        await deliverDueMail(getDb(), getMailSink());
      } while (again);
    } catch (e) {
      console.error("[mailer] delivery run failed", e);
    } finally {
      running = null;
    }
  })();
  // Retries come due later: look again every half minute for as long as the process runs.
  if (!timer) {
    timer = setInterval(kickMailer, 30_000);
    timer.unref();
  }
}

/** Test hook: the current run, if any, finished. */
export async function mailerIdle(): Promise<void> {
  while (running) await running;
}
