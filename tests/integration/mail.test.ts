/**
 * Outgoing mail through a real SMTP listener (the smtp-server package) started by the test: the
 * queue delivers in the recipient's language, an outage loses nothing and recovery delivers each
 * mail exactly once; without SMTP_URL the mail lands in the development outbox at /admin/outbox.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverDueMail, enqueueMail } from "../../app/models/mail.server";
import { resetEnvForTests } from "../../app/utils/env.server";
import { getMailSink } from "../../app/utils/mailer.server";
import { useActors } from "../support/authz";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

interface Received {
  to: string[];
  raw: string;
}

/** A local SMTP server that stores what it accepts, and can be told to refuse (an outage). */
async function startSmtp() {
  const received: Received[] = [];
  let down = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onMailFrom(_address, _session, cb) {
      if (down)
        return cb(Object.assign(new Error("421 service not available"), { responseCode: 421 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    setDown: (v: boolean) => {
      down = v;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The decoded text of a received mail (nodemailer sends UTF-8 as quoted-printable or base64). */
function decodedBody(raw: string): string {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n");
  if (/content-transfer-encoding: base64/i.test(head)) {
    return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  }
  if (/content-transfer-encoding: quoted-printable/i.test(head)) {
    const bytes = body
      .replace(/=\r?\n/g, "")
      .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return body;
}

describe("outgoing mail", () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const saved = process.env.SMTP_URL;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp?.close();
    if (saved === undefined) delete process.env.SMTP_URL;
    else process.env.SMTP_URL = saved;
    resetEnvForTests();
  });
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  const useSmtp = () => {
    process.env.SMTP_URL = smtp.url;
    resetEnvForTests();
    return getMailSink();
  };

  it("delivers a queued mail over SMTP in the recipient's language", async () => {
    const sink = useSmtp();
    const before = smtp.received.length;
    await enqueueMail(t.db, {
      to: "zh@mail.test",
      template: "passwordReset",
      params: { url: "http://zhirong.test/reset-password/abc" },
      locale: "zh-CN",
    });
    await enqueueMail(t.db, {
      to: "en@mail.test",
      template: "passwordReset",
      params: { url: "http://zhirong.test/reset-password/def" },
      locale: "en",
    });
    expect(await deliverDueMail(t.db, sink)).toEqual({ delivered: 2, failed: 0 });
    const got = smtp.received.slice(before);
    expect(got.map((m) => m.to)).toEqual([["zh@mail.test"], ["en@mail.test"]]);
    expect(decodedBody(got[0].raw)).toContain("请在 30 分钟内打开以下链接设置新密码");
    expect(decodedBody(got[0].raw)).toContain("http://zhirong.test/reset-password/abc");
    expect(decodedBody(got[1].raw)).toContain("Open this link within 30 minutes");
    const rows = await t.db
      .selectFrom("mail_queue")
      .select(["status", "attempts"])
      .where("to_email", "in", ["zh@mail.test", "en@mail.test"])
      .execute();
    expect(rows).toEqual([
      { status: "sent", attempts: 1 },
      { status: "sent", attempts: 1 },
    ]);
  });

  it("keeps a mail through an SMTP outage and delivers it once after recovery", async () => {
    const sink = useSmtp();
    const before = smtp.received.length;
    await enqueueMail(t.db, {
      to: "outage@mail.test",
      template: "verifyEmail",
      params: { name: "王", url: "http://zhirong.test/verify/x" },
      locale: "zh-CN",
    });
    smtp.setDown(true);
    const now = new Date();
    expect(await deliverDueMail(t.db, sink, now)).toMatchObject({ delivered: 0, failed: 1 });
    const failed = await t.db
      .selectFrom("mail_queue")
      .selectAll()
      .where("to_email", "=", "outage@mail.test")
      .executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ status: "pending", attempts: 1, claimed_by: null });
    expect(failed.last_error).toMatch(/421/);
    // Not due again before the back-off, even with the server back.
    smtp.setDown(false);
    expect(await deliverDueMail(t.db, sink, now)).toEqual({ delivered: 0, failed: 0 });
    // Two workers racing once it is due: the claim lets exactly one send it.
    const later = new Date(now.getTime() + 61_000);
    const runs = await Promise.all([
      deliverDueMail(t.db, sink, later),
      deliverDueMail(t.db, sink, later),
    ]);
    expect(runs.reduce((n, r) => n + r.delivered, 0)).toBe(1);
    const arrived = smtp.received.slice(before).filter((m) => m.to.includes("outage@mail.test"));
    expect(arrived).toHaveLength(1);
    // Nothing left to send.
    expect(await deliverDueMail(t.db, sink, new Date(later.getTime() + 3_600_000))).toEqual({
      delivered: 0,
      failed: 0,
    });
  });

  it("without SMTP_URL keeps the mail in the outbox the admin reads", async () => {
    delete process.env.SMTP_URL;
    resetEnvForTests();
    const sink = getMailSink();
    expect(sink.kind).toBe("outbox");
    const info = console.info;
    const printed: string[] = [];
    console.info = (...a: unknown[]) => void printed.push(a.join(" "));
    try {
      await enqueueMail(t.db, {
        to: "dev@mail.test",
        template: "invitation",
        params: { name: "<b>李</b>", inviter: "管理员", org: "测试银行", url: "http://x/invite/1" },
        locale: "en",
      });
      await deliverDueMail(t.db, sink);
    } finally {
      console.info = info;
    }
    expect(printed.join("\n")).toContain("[mail outbox] to dev@mail.test");
    const page = await app.fetch("/admin/outbox", { headers: { cookie: actors.admin.cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("dev@mail.test");
    expect(html).toContain("管理员 invites you to Zhirong (测试银行)");
    expect(html).toContain("&lt;b&gt;李&lt;/b&gt;");
    expect(html).not.toContain("<b>李</b>");
    const forbidden = await app.fetch("/admin/outbox", {
      headers: { cookie: actors.firmA.cookie },
    });
    expect(forbidden.status).toBe(403);
  });
});
