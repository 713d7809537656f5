/**
 * Hostile input (issue 11): every POST form the app draws, as the actor it is drawn for, gets a
 * fixed list of hostile values (100k-character strings, NUL and control characters, an RTL
 * override, emoji, SQL and HTML injection, CSV formulas, 1e309, -0, huge page numbers, arrays for
 * scalars), and list pages get them as query parameters. Asserted: no 5xx, nothing rendered
 * unescaped, and on every refusal (4xx) no table changed.
 *
 * The forms are found by reading each page's HTML, so a new form on a listed page is fuzzed
 * without touching this file. Bounded: about ten values per form, one request at a time.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/schema";
import { createApplicationDraft, submitApplication } from "../../app/models/application.server";
import { createAppraisalOrder, type Actor as ModelActor } from "../../app/models/appraisal.server";
import { markOfflinePaid } from "../../app/models/payment.server";
import { createRequest } from "../../app/models/request.server";
import { makeAsset } from "../support/appraisal";
import { addAsset, addProduct } from "../support/applications";
import { type Actor, requestAs, useActors } from "../support/authz";
import { allowConsoleError } from "../support/console";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

const XSS = "<script>alert(1)</script>";
const IMG = '"><img src=x onerror=alert(1)>';
const HOSTILE: string[] = [
  "A".repeat(100_000),
  "nul\u0000byte\u0001\u001f\u007f",
  "\u202Eevil\u202Dtxt\r\nSet-Cookie: x=1",
  "😀🇨🇳👨‍👩‍👧",
  "' OR 1=1; DROP TABLE users; --",
  XSS,
  IMG,
  '=HYPERLINK("http://evil.example","x")',
  "1e309",
  "-0",
  "-1",
  "99999999999999999999999",
  "NaN",
];
const UNESCAPED = [XSS, "<img src=x onerror=alert(1)>"];

/** Tables whose row counts must not move on a refusal. The log-in throttle's counters and
 * login_attempts are left out: a refused password guess is counted there by design. */
const WATCHED: (keyof Database)[] = [
  "audit_log",
  "users",
  "organisations",
  "sessions",
  "email_tokens",
  "mail_queue",
  "ip_assets",
  "financing_requests",
  "loan_products",
  "applications",
  "appraisal_orders",
  "notifications",
  "ledger_entries",
];

interface ParsedForm {
  action: string;
  fixed: [string, string][];
  free: string[];
}

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? m[1].replace(/&amp;/g, "&").replace(/&quot;/g, '"') : null;
}

/** The POST forms of a page: hidden inputs and named buttons keep their values, the rest is free. */
function postForms(html: string, page: string): ParsedForm[] {
  const out: ParsedForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (!/method="post"/i.test(m[1])) continue;
    const action = attr(m[1], "action") ?? page;
    if (action.startsWith("/logout") || action.startsWith("/set-language")) continue;
    const fixed: [string, string][] = [];
    const free = new Set<string>();
    for (const f of m[2].matchAll(/<(input|select|textarea|button)\b([^>]*)>/g)) {
      const name = attr(f[2], "name");
      if (!name) continue;
      const type = attr(f[2], "type");
      if ((f[1] === "input" && type === "hidden") || f[1] === "button") {
        fixed.push([name, attr(f[2], "value") ?? ""]);
      } else {
        free.add(name);
      }
    }
    out.push({ action, fixed, free: [...free].filter((n) => !fixed.some(([k]) => k === n)) });
  }
  return out;
}

describe(`hostile input into every form (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  // Known finding (reported, not fixed here): an array posted for a <select> is echoed back by
  // conform as the select's defaultValue, and React warns while rendering the refusal (no 5xx).
  allowConsoleError(/The `defaultValue` prop supplied to <select> must be a scalar value/);
  const ids = { asset: 0, request: 0, product: 0, draft: 0, submitted: 0, order: 0, paid: 0 };

  beforeAll(async () => {
    const firmA = { userId: actors.firmA.userId, orgId: actors.firmA.orgId };
    const as = (a: "firmA" | "valuer" | "admin", role: ModelActor["role"]): ModelActor => ({
      id: actors[a].userId,
      org_id: actors[a].orgId,
      role,
    });
    ids.asset = await addAsset(t.db, firmA.orgId, { valueFen: 800_000_000 });
    ids.request = await createRequest(t.db, {
      firmOrgId: firmA.orgId,
      userId: firmA.userId,
      input: {
        amountFen: 100_000_000,
        termMonths: 12,
        maxRateBp: 450,
        purpose: "采购",
        assetIds: [ids.asset],
      },
    });
    ids.product = await addProduct(t.db, actors.bankX.orgId, actors.bankX.userId);
    const draft = await createApplicationDraft(t.db, {
      firmOrgId: firmA.orgId,
      userId: firmA.userId,
      productId: ids.product,
      requestId: null,
      amountFen: 10_000_000,
      termMonths: 12,
      rateBp: 400,
      assetIds: [await addAsset(t.db, firmA.orgId, { valueFen: 800_000_000 })],
    });
    ids.draft = draft.applicationId;
    const sub = await createApplicationDraft(t.db, {
      firmOrgId: firmA.orgId,
      userId: firmA.userId,
      productId: ids.product,
      requestId: null,
      amountFen: 10_000_000,
      termMonths: 12,
      rateBp: 400,
      assetIds: [await addAsset(t.db, firmA.orgId, { valueFen: 800_000_000 })],
    });
    await submitApplication(t.db, firmA, { applicationId: sub.applicationId, version: 1 });
    ids.submitted = sub.applicationId;
    const firm = as("firmA", "firm");
    ids.order = (
      await createAppraisalOrder(t.db, firm, {
        assetIds: [await makeAsset(t.db, firm)],
        valuerOrgId: actors.valuer.orgId,
      })
    ).orderId;
    ids.paid = (
      await createAppraisalOrder(t.db, firm, {
        assetIds: [await makeAsset(t.db, firm)],
        valuerOrgId: actors.valuer.orgId,
      })
    ).orderId;
    await markOfflinePaid(t.db, as("admin", "admin"), ids.paid, 1, { reference: "FUZZ-1" });
  });

  const PAGES: [Actor, () => string][] = [
    ["anonymous", () => "/login"],
    ["anonymous", () => "/register"],
    ["anonymous", () => "/forgot-password"],
    ["firmA", () => "/firm/profile"],
    ["firmA", () => "/firm/assets/new-patent"],
    ["firmA", () => "/firm/assets/new-trademark"],
    ["firmA", () => `/firm/assets/${ids.asset}/edit`],
    ["firmA", () => `/firm/assets/${ids.asset}/delete`],
    ["firmA", () => `/firm/assets/${ids.asset}/valuation`],
    ["firmA", () => "/firm/requests/new"],
    ["firmA", () => `/firm/requests/${ids.request}`],
    ["firmA", () => `/firm/requests/${ids.request}/edit`],
    ["firmA", () => `/firm/applications/new?productId=${ids.product}`],
    ["firmA", () => `/firm/applications/${ids.draft}`],
    ["firmA", () => "/firm/appraisals/new"],
    ["firmA", () => `/firm/appraisals/${ids.order}`],
    ["firmA", () => "/notifications"],
    ["firmA", () => "/account"],
    ["firmA", () => "/account/password"],
    ["firmA", () => "/account/sessions"],
    ["firmA", () => "/account/two-factor"],
    ["firmA", () => "/team"],
    ["bankX", () => "/bank/products/new"],
    ["bankX", () => `/bank/products/${ids.product}`],
    ["bankX", () => `/bank/products/${ids.product}/edit`],
    ["bankX", () => `/bank/applications/${ids.submitted}`],
    ["valuer", () => `/valuer/orders/${ids.paid}`],
    ["admin", () => `/admin/payments/${ids.order}`],
    ["admin", () => "/admin/settings/appraisal-fee"],
    ["admin", () => "/admin/settings/target"],
    ["admin", () => "/admin/invitations"],
    ["admin", () => "/admin/ledger"],
    ["admin", () => "/admin/settings/two-factor"],
    ["admin", () => "/collateral/legal-events"],
    ["admin", () => "/risk/pools/new"],
  ];

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const table of WATCHED) {
      const r = await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      out[table] = Number(r.n);
    }
    return out;
  };

  it(
    "no 5xx, nothing unescaped, and nothing written on refusal",
    { timeout: 240_000 },
    async () => {
      let posted = 0;
      let formCount = 0;
      const problems: string[] = [];
      for (const [actor, path] of PAGES) {
        const page = path();
        const res = await requestAs(app, actors, actor, page);
        expect(res.status, `GET ${page} as ${actor}`).toBe(200);
        const forms = postForms(await res.text(), page);
        formCount += forms.length;
        for (const form of forms) {
          const bodies: URLSearchParams[] = HOSTILE.map((value) => {
            const b = new URLSearchParams(form.fixed);
            for (const name of form.free) b.append(name, value);
            return b;
          });
          // Arrays for scalars, and every field, hidden ones too, replaced.
          const arrays = new URLSearchParams(form.fixed);
          for (const name of form.free) ["1", "2", XSS].forEach((v) => arrays.append(name, v));
          const allHostile = new URLSearchParams();
          for (const [name] of form.fixed) allHostile.append(name, IMG);
          for (const name of form.free) allHostile.append(name, "1e309");
          bodies.push(arrays, allHostile);
          for (const body of bodies) {
            const before = await counts();
            const r = await requestAs(app, actors, actor, form.action, {
              method: "POST",
              headers: { "content-type": "application/x-www-form-urlencoded" },
              body: body.toString(),
            });
            posted++;
            const text = await r.text();
            const what = `${actor} POST ${form.action} [${[...body.keys()].join(",")}] = ${body.values().next().value?.slice(0, 40)}`;
            if (r.status >= 500) problems.push(`${r.status} ${what}`);
            for (const raw of UNESCAPED) if (text.includes(raw)) problems.push(`unescaped ${what}`);
            if (r.status >= 400) {
              const after = await counts();
              if (JSON.stringify(after) !== JSON.stringify(before)) {
                problems.push(`${r.status} wrote ${JSON.stringify({ before, after })} ${what}`);
              }
            }
          }
        }
      }
      // Query parameters of the list pages.
      const QUERIES: [Actor, string][] = [
        ["admin", "/admin/audit"],
        ["admin", "/admin/outbox"],
        ["admin", "/admin/users"],
        ["admin", "/admin/payments"],
        ["anonymous", "/products"],
        ["firmA", "/firm/assets"],
        ["firmA", "/firm/applications"],
        ["bankX", "/bank/applications"],
        ["bankX", "/bank/pipeline"],
        ["alliance", "/alliance/review"],
        ["alliance", "/alliance/review/applications"],
        ["firmA", "/ledger"],
        ["firmA", "/notifications"],
      ];
      for (const [actor, page] of QUERIES) {
        for (const value of [...HOSTILE.slice(1), "A".repeat(4000), "99999999999999999999"]) {
          const q = new URLSearchParams();
          for (const k of [
            "page",
            "q",
            "stage",
            "state",
            "from",
            "to",
            "region",
            "bank",
            "ipType",
            "sort",
            "productId",
          ]) {
            q.append(k, value);
          }
          q.append("page", "2");
          const r = await requestAs(app, actors, actor, `${page}?${q}`);
          const text = await r.text();
          if (r.status >= 500) problems.push(`${r.status} GET ${page}?…=${value.slice(0, 30)}`);
          for (const raw of UNESCAPED)
            if (text.includes(raw)) problems.push(`unescaped GET ${page}`);
        }
      }
      expect(problems).toEqual([]);
      expect(formCount).toBeGreaterThan(25);
      expect(posted).toBeGreaterThan(300);
    },
  );
});
