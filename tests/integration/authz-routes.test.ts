/**
 * The HTTP authorization matrix over every route module: each loader (GET) and each action
 * (POST) of every file in app/routes, as each of the eight actors. A route file that is not in
 * the table below fails the first test, so a new page cannot skip the matrix.
 *
 * Actions are posted with a body that cannot change anything — invalid (the permitted actor gets
 * 400 from the validation), stale (409) or aimed at another organisation's thing (404) — so the
 * matrix shows who gets past the permissions table without writing a row; the last test checks
 * that the audit log did not move.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { IMPORT_COLUMNS, IMPORT_HEADERS } from "../../app/domain/asset-import";
import { toCsv } from "../../app/domain/csv";
import { createApplicationDraft, submitApplication } from "../../app/models/application.server";
import {
  createAppraisalOrder,
  signAppraisalOrder,
  startAppraisalWork,
  type Actor as ModelActor,
} from "../../app/models/appraisal.server";
import { cancelImport, stageImport } from "../../app/models/asset-import.server";
import { markOfflinePaid } from "../../app/models/payment.server";
import { createRequest } from "../../app/models/request.server";
import { createProgramme } from "../../app/models/risk-sharing/subsidies.server";
import { todayInChina } from "../../app/utils/time";
import { unsubscribeToken } from "../../app/utils/mail-links.server";
import { makeAsset } from "../support/appraisal";
import {
  ACTORS,
  expectOutcome,
  loginCookie,
  matrix,
  requestAs,
  useActors,
  type Actor,
  type Outcome,
} from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { addAsset, addProduct, countRows } from "../support/applications";
import { useAppServer } from "../support/http";

type Expected = Record<Actor, Outcome>;

const all = (outcome: Outcome): Expected =>
  Object.fromEntries(ACTORS.map((a) => [a, outcome])) as Expected;
const only = (allowed: Partial<Expected>): Expected => ({
  ...all(403),
  anonymous: "login",
  ...allowed,
});

const PUBLIC = all(200);
/** Pages for visitors who are not logged in; a logged-in user goes to their dashboard. */
const VISITORS = { ...all(302), anonymous: 200 } as Expected;
const MEMBERS = { ...all(200), anonymous: "login" } as Expected;
const FIRM = only({ firmA: 200, firmB: 200 });
/** Firm A's thing: firm B is told it does not exist. */
const FIRM_A = only({ firmA: 200, firmB: 404 });
const BANK = only({ bankX: 200, bankY: 200 });
const BANK_X = only({ bankX: 200, bankY: 404 });
const VALUER = only({ valuer: 200 });
const ADMIN = only({ admin: 200 });
const GOVERNMENT = only({ alliance: 200, admin: 200 });
const REVIEWERS = only({ bankX: 200, bankY: 200, alliance: 200, admin: 200 });

interface Case {
  path: () => string;
  expected: Expected;
  body?: () => RequestInit["body"];
}
interface RouteCases {
  loader?: Case;
  action?: Case;
}

const form = (values: Record<string, string>) => () => new URLSearchParams(values).toString();
const EMPTY = form({});
const BOGUS_INTENT = form({ intent: "bogus" });

const TODAY = todayInChina();

function importCsv(number: string): Uint8Array {
  return new TextEncoder().encode(
    toCsv([
      IMPORT_COLUMNS.map((c) => IMPORT_HEADERS[c][0]),
      IMPORT_COLUMNS.map(
        (c) =>
          ({ kind: "商标", number, title: "矩阵", status: "注册", niceClass: "1" })[c as string] ??
          "",
      ),
    ]),
  );
}

describe(`authorization matrix: every route (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);
  const ids = {
    asset: 0,
    import: 0,
    cancelledImport: 0,
    request: 0,
    product: 0,
    application: 0,
    paidOrder: 0,
    unpaidOrder: 0,
    report: 0,
    disposal: 0,
    pool: 0,
    claim: 0,
    programme: 0,
    token: "",
  };
  let auditBefore = 0;

  beforeAll(async () => {
    const firmA = { userId: actors.firmA.userId, orgId: actors.firmA.orgId };
    const as = (a: "firmA" | "valuer" | "admin", role: ModelActor["role"]): ModelActor => ({
      id: actors[a].userId,
      org_id: actors[a].orgId,
      role,
    });
    ids.asset = await addAsset(t.db, firmA.orgId, { valueFen: 800_000_000 });
    const pledged = await addAsset(t.db, firmA.orgId, { valueFen: 800_000_000 });
    const staged = await stageImport(
      t.db,
      firmA,
      { fileName: "m.csv", bytes: importCsv("98000001") },
      TODAY,
    );
    const cancelled = await stageImport(
      t.db,
      firmA,
      { fileName: "c.csv", bytes: importCsv("98000002") },
      TODAY,
    );
    if (!staged.ok || !cancelled.ok) throw new Error("import fixture");
    ids.import = staged.importId;
    ids.cancelledImport = cancelled.importId;
    await cancelImport(t.db, firmA, cancelled.importId);
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
    const { applicationId } = await createApplicationDraft(t.db, {
      firmOrgId: firmA.orgId,
      userId: firmA.userId,
      productId: ids.product,
      requestId: null,
      amountFen: 10_000_000,
      termMonths: 12,
      rateBp: 400,
      assetIds: [pledged],
    });
    await submitApplication(t.db, firmA, { applicationId, version: 1 });
    ids.application = applicationId;

    const firm = as("firmA", "firm");
    const valuer = as("valuer", "valuer");
    const paid = await createAppraisalOrder(t.db, firm, {
      assetIds: [await makeAsset(t.db, firm)],
      valuerOrgId: valuer.org_id,
    });
    await markOfflinePaid(t.db, as("admin", "admin"), paid.orderId, 1, { reference: "MATRIX-1" });
    await startAppraisalWork(t.db, valuer, paid.orderId, 2);
    const item = await t.db
      .selectFrom("appraisal_order_items")
      .select("asset_id")
      .where("order_id", "=", paid.orderId)
      .executeTakeFirstOrThrow();
    const [report] = (
      await signAppraisalOrder(t.db, valuer, paid.orderId, 3, [
        {
          assetId: item.asset_id,
          lowFen: 80_000_000,
          centralFen: 90_000_000,
          highFen: 100_000_000,
          method: "income",
          assumptions: "许可费率 3%，折现率 12%",
          reportText: "评估结论见上，本报告仅用于质押融资参考。",
        },
      ])
    ).appraisalIds;
    ids.paidOrder = paid.orderId;
    ids.report = report;
    ids.token = (
      await t.db
        .selectFrom("appraisals")
        .select("verification_token")
        .where("id", "=", report)
        .executeTakeFirstOrThrow()
    ).verification_token;
    ids.unpaidOrder = (
      await createAppraisalOrder(t.db, firm, {
        assetIds: [await makeAsset(t.db, firm)],
        valuerOrgId: valuer.org_id,
      })
    ).orderId;
    // A listed disposal, inserted directly: the matrix checks who reaches the page, not the flow.
    ids.disposal = Number(
      (
        await t.db
          .insertInto("disposals")
          .values({
            application_id: 0,
            bank_org_id: actors.bankX.orgId,
            claim_id: null,
            kind: "transfer",
            title: "矩阵处置",
            asset_summary: "发明专利",
            appraisal_fen: null,
            asking_fen: 100,
            terms: "一次性转让",
            state: "listed",
            proceeds_fen: null,
            listed_by: actors.bankX.userId,
            listed_at: "2026-01-01 00:00:00.000",
            closed_at: null,
          })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
    // A pool the alliance member manages and a filed claim of bank X on it, inserted directly.
    const at = "2026-01-01 00:00:00.000";
    ids.pool = Number(
      (
        await t.db
          .insertInto("risk_pools")
          .values({
            name: "矩阵资金池",
            kind: "county",
            manager_org_id: actors.alliance.orgId,
            insurer_org_id: null,
            guarantor_org_id: null,
            share_pool_bp: 8000,
            share_insurer_bp: 0,
            share_guarantor_bp: 0,
            share_bank_bp: 2000,
            per_loan_cap_fen: 100_000_000,
            leverage_multiple_bp: 100_000,
            interest_days_allowed: 90,
            required_documents: "loan_contract",
            created_by: actors.alliance.userId,
            created_at: at,
            updated_at: at,
          })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
    ids.claim = Number(
      (
        await t.db
          .insertInto("risk_claims")
          .values({
            pool_id: ids.pool,
            application_id: ids.application,
            live_key: null,
            bank_org_id: actors.bankX.orgId,
            state: "filed",
            outstanding_principal_fen: 100,
            unpaid_interest_fen: 0,
            covered_principal_fen: 100,
            allowed_interest_fen: 0,
            loss_fen: 100,
            claimed_fen: 100,
            approved_fen: null,
            reject_reason: null,
            idempotency_key: "claim:matrix",
            filed_by: actors.bankX.userId,
            filed_at: at,
            decided_by: null,
            decided_at: null,
          })
          .executeTakeFirstOrThrow()
      ).insertId,
    );
    // A subsidy programme of the alliance actor (a government member).
    ids.programme = await createProgramme(
      t.db,
      { userId: actors.alliance.userId, orgId: actors.alliance.orgId, role: "alliance" },
      {
        name: "矩阵贴息",
        shareBp: 5000,
        lprMultipleCapBp: 15_000,
        perFirmYearCapFen: 30_000_000,
        budgetFen: 100_000_000,
        windowStart: "2025-01-01",
        windowEnd: "2027-12-31",
        regionCodes: [],
        productIds: [],
        requiredFlags: [],
        firstPledgeOnly: false,
        autoApprove: false,
      },
    );
    auditBefore = await countRows(t.db, "audit_log");
  });

  const ROUTES: Record<string, RouteCases> = {
    _index: { loader: { path: () => "/", expected: PUBLIC } },
    healthz: { loader: { path: () => "/healthz", expected: PUBLIC } },
    "events.progress": { loader: { path: () => "/events/progress", expected: PUBLIC } },
    "products._index": { loader: { path: () => "/products", expected: PUBLIC } },
    report: { loader: { path: () => "/report", expected: PUBLIC } },
    "report[.csv]": { loader: { path: () => "/report.csv", expected: PUBLIC } },
    "report[.json]": { loader: { path: () => "/report.json", expected: PUBLIC } },
    "report_.loans": {
      loader: {
        path: () => "/report/loans?measure=overdue",
        expected: only({ alliance: 200, admin: 200 }),
      },
    },
    // The loans and entries behind the report's risk-sharing figures: firms named, like
    // /report/loans.
    "report_.risk": {
      loader: {
        path: () => "/report/risk?measure=subsidies",
        expected: only({ alliance: 200, admin: 200 }),
      },
    },
    "verify.$token": { loader: { path: () => `/verify/${ids.token}`, expected: PUBLIC } },
    "disposals._index": { loader: { path: () => "/disposals", expected: PUBLIC } },
    "disposals.$id": {
      loader: { path: () => `/disposals/${ids.disposal}`, expected: PUBLIC },
      // An empty form: everyone may register interest, so everyone gets the validation's 400.
      action: { path: () => `/disposals/${ids.disposal}`, expected: all(400), body: EMPTY },
    },
    // Banks see every pool (their loans' coverage), the alliance and the admin too.
    "risk.pools._index": { loader: { path: () => "/risk/pools", expected: REVIEWERS } },
    // Setting up a pool: a government alliance member (the matrix's is one) or the admin.
    "risk.pools.new": {
      loader: { path: () => "/risk/pools/new", expected: only({ alliance: 200, admin: 200 }) },
      action: {
        path: () => "/risk/pools/new",
        expected: only({ alliance: 400, admin: 400 }),
        body: EMPTY,
      },
    },
    // The pool's page for every reviewer; contributions only by its manager (and the admin).
    "risk.pools.$id": {
      loader: { path: () => `/risk/pools/${ids.pool}`, expected: REVIEWERS },
      action: {
        path: () => `/risk/pools/${ids.pool}`,
        expected: only({ alliance: 400, admin: 400 }),
        body: EMPTY,
      },
    },
    // A bank sees only its claims; only the pool's manager (or the admin) decides.
    "risk.claims._index": { loader: { path: () => "/risk/claims", expected: REVIEWERS } },
    "risk.claims.$id": {
      loader: {
        path: () => `/risk/claims/${ids.claim}`,
        expected: only({ bankX: 200, bankY: 404, alliance: 200, admin: 200 }),
      },
      action: {
        path: () => `/risk/claims/${ids.claim}`,
        expected: only({ alliance: 400, admin: 400 }),
        body: BOGUS_INTENT,
      },
    },
    "firm.subsidies": {
      loader: { path: () => "/firm/subsidies", expected: FIRM },
      action: {
        path: () => "/firm/subsidies",
        expected: only({ firmA: 400, firmB: 400 }),
        body: EMPTY,
      },
    },

    // Subsidy programmes: government members (the alliance actor is one) and the admin.
    "subsidies._index": { loader: { path: () => "/subsidies", expected: GOVERNMENT } },
    "subsidies.new": {
      loader: { path: () => "/subsidies/new", expected: GOVERNMENT },
      action: {
        path: () => "/subsidies/new",
        expected: only({ alliance: 400, admin: 400 }),
        body: EMPTY,
      },
    },
    "subsidies.$id": {
      loader: { path: () => `/subsidies/${ids.programme}`, expected: GOVERNMENT },
      action: {
        path: () => `/subsidies/${ids.programme}`,
        expected: only({ alliance: 400, admin: 400 }),
        body: EMPTY,
      },
    },
    "subsidies.lpr": {
      loader: { path: () => "/subsidies/lpr", expected: GOVERNMENT },
      action: {
        path: () => "/subsidies/lpr",
        expected: only({ alliance: 400, admin: 400 }),
        body: EMPTY,
      },
    },

    // Quotes: insurers and guarantors only (the alliance actor is a government member: 403).
    "alliance.quotes": {
      loader: { path: () => "/alliance/quotes", expected: only({ alliance: 200 }) },
      action: { path: () => "/alliance/quotes", expected: only({}), body: EMPTY },
    },
    "bank.applications.$id_.cover": {
      loader: { path: () => `/bank/applications/${ids.application}/cover`, expected: BANK_X },
      action: {
        path: () => `/bank/applications/${ids.application}/cover`,
        expected: only({ bankX: 400, bankY: 404 }),
        body: EMPTY,
      },
    },

    login: {
      loader: { path: () => "/login", expected: VISITORS },
      // The refused form is drawn with the page, whose loader sends a logged-in user home.
      action: { path: () => "/login", expected: { ...all(302), anonymous: 400 }, body: EMPTY },
    },
    register: {
      loader: { path: () => "/register", expected: VISITORS },
      action: { path: () => "/register", expected: { ...all(302), anonymous: 400 }, body: EMPTY },
    },
    "forgot-password": {
      loader: { path: () => "/forgot-password", expected: PUBLIC },
      action: { path: () => "/forgot-password", expected: all(400), body: EMPTY },
    },
    "reset-password.$token": {
      loader: { path: () => "/reset-password/no-such-token", expected: PUBLIC },
      action: {
        path: () => "/reset-password/no-such-token",
        expected: all(400),
        body: form({ password: "a-long-enough-password" }),
      },
    },
    "invite.$token": {
      loader: { path: () => "/invite/no-such-token", expected: PUBLIC },
      action: {
        path: () => "/invite/no-such-token",
        expected: all(400),
        body: form({ password: "short" }),
      },
    },
    "account._index": {
      loader: { path: () => "/account", expected: MEMBERS },
      action: {
        path: () => "/account",
        expected: { ...all(400), anonymous: "login" },
        body: BOGUS_INTENT,
      },
    },
    "account.password": {
      loader: { path: () => "/account/password", expected: MEMBERS },
      action: {
        path: () => "/account/password",
        expected: { ...all(400), anonymous: "login" },
        body: EMPTY,
      },
    },
    "account.sessions": {
      loader: { path: () => "/account/sessions", expected: MEMBERS },
      // Someone else's (or no) session key: nobody can end a session that is not theirs.
      action: {
        path: () => "/account/sessions",
        expected: { ...all(404), anonymous: "login" },
        body: form({ intent: "end", key: "0".repeat(24) }),
      },
    },
    "account.verify-email.$token": {
      loader: { path: () => "/account/verify-email/no-such-token", expected: PUBLIC },
      action: {
        path: () => "/account/verify-email/no-such-token",
        expected: all(400),
        body: EMPTY,
      },
    },
    "i18n.$locale": {
      loader: { path: () => "/i18n/en", expected: all(200) },
    },
    "set-language": {
      loader: { path: () => "/set-language", expected: all(302) },
      action: { path: () => "/set-language", expected: all(302), body: form({ locale: "xx" }) },
    },
    // The logout action is exercised with fresh sessions below, not the actors' own.
    logout: { loader: { path: () => "/logout", expected: all(302) } },
    "webhooks.stripe": {
      loader: { path: () => "/webhooks/stripe", expected: all(405) },
      action: { path: () => "/webhooks/stripe", expected: all(503), body: () => "{}" },
    },

    "firm._index": { loader: { path: () => "/firm", expected: FIRM } },
    "bank._index": { loader: { path: () => "/bank", expected: BANK } },
    "valuer._index": { loader: { path: () => "/valuer", expected: VALUER } },
    "alliance._index": {
      loader: { path: () => "/alliance", expected: only({ alliance: 200, admin: 200 }) },
    },
    "admin._index": { loader: { path: () => "/admin", expected: ADMIN } },
    notifications: {
      loader: { path: () => "/notifications", expected: MEMBERS },
      action: {
        path: () => "/notifications",
        expected: { ...all(400), anonymous: "login" },
        body: BOGUS_INTENT,
      },
    },

    "firm.profile": {
      loader: { path: () => "/firm/profile", expected: FIRM },
      action: {
        path: () => "/firm/profile",
        expected: only({ firmA: 400, firmB: 400 }),
        body: form({ expected: "bogus" }),
      },
    },

    "firm.assets._index": { loader: { path: () => "/firm/assets", expected: FIRM } },
    "firm.assets.new-patent": {
      loader: { path: () => "/firm/assets/new-patent", expected: FIRM },
      action: {
        path: () => "/firm/assets/new-patent",
        expected: only({ firmA: 400, firmB: 400 }),
        body: EMPTY,
      },
    },
    "firm.assets.new-trademark": {
      loader: { path: () => "/firm/assets/new-trademark", expected: FIRM },
      action: {
        path: () => "/firm/assets/new-trademark",
        expected: only({ firmA: 400, firmB: 400 }),
        body: EMPTY,
      },
    },
    "firm.assets.$id._index": {
      loader: { path: () => `/firm/assets/${ids.asset}`, expected: FIRM_A },
    },
    "firm.assets.$id.edit": {
      loader: { path: () => `/firm/assets/${ids.asset}/edit`, expected: FIRM_A },
      action: {
        path: () => `/firm/assets/${ids.asset}/edit`,
        expected: only({ firmA: 400, firmB: 404 }),
        body: EMPTY,
      },
    },
    "firm.assets.$id.delete": {
      loader: { path: () => `/firm/assets/${ids.asset}/delete`, expected: FIRM_A },
      action: {
        path: () => `/firm/assets/${ids.asset}/delete`,
        expected: only({ firmA: 400, firmB: 404 }),
        body: EMPTY,
      },
    },
    "firm.assets.$id.valuation": {
      loader: { path: () => `/firm/assets/${ids.asset}/valuation`, expected: FIRM_A },
      action: {
        path: () => `/firm/assets/${ids.asset}/valuation`,
        expected: only({ firmA: 400, firmB: 404 }),
        body: EMPTY,
      },
    },
    "firm.assets.import-template[.csv]": {
      loader: { path: () => "/firm/assets/import-template.csv", expected: FIRM },
    },
    "firm.assets.import._index": {
      loader: { path: () => "/firm/assets/import", expected: FIRM },
      action: {
        path: () => "/firm/assets/import",
        expected: only({ firmA: 400, firmB: 400 }),
        body: () => new FormData(),
      },
    },
    "firm.assets.import.$importId._index": {
      loader: { path: () => `/firm/assets/import/${ids.import}`, expected: FIRM_A },
      action: {
        path: () => `/firm/assets/import/${ids.import}`,
        expected: only({ firmA: 400, firmB: 404 }),
        body: BOGUS_INTENT,
      },
    },
    "firm.assets.import.$importId.errors[.csv]": {
      loader: { path: () => `/firm/assets/import/${ids.import}/errors.csv`, expected: FIRM_A },
    },
    "firm.assets.import.$importId.run": {
      loader: {
        path: () => `/firm/assets/import/${ids.import}/run`,
        expected: only({ firmA: 405, firmB: 405 }),
      },
      // A cancelled import: the stream answers with an error event and imports nothing.
      action: {
        path: () => `/firm/assets/import/${ids.cancelledImport}/run`,
        expected: FIRM_A,
        body: EMPTY,
      },
    },

    "firm.requests._index": { loader: { path: () => "/firm/requests", expected: FIRM } },
    "firm.requests.new": {
      loader: { path: () => "/firm/requests/new", expected: FIRM },
      action: {
        path: () => "/firm/requests/new",
        expected: only({ firmA: 400, firmB: 400 }),
        body: EMPTY,
      },
    },
    "firm.requests.$id._index": {
      loader: { path: () => `/firm/requests/${ids.request}`, expected: FIRM_A },
      action: {
        path: () => `/firm/requests/${ids.request}`,
        expected: only({ firmA: 400, firmB: 404 }),
        body: BOGUS_INTENT,
      },
    },
    "firm.requests.$id.edit": {
      loader: { path: () => `/firm/requests/${ids.request}/edit`, expected: FIRM_A },
      action: {
        path: () => `/firm/requests/${ids.request}/edit`,
        expected: only({ firmA: 400, firmB: 404 }),
        body: EMPTY,
      },
    },

    "bank.products._index": { loader: { path: () => "/bank/products", expected: BANK } },
    "bank.products.new": {
      loader: { path: () => "/bank/products/new", expected: BANK },
      action: {
        path: () => "/bank/products/new",
        expected: only({ bankX: 400, bankY: 400 }),
        body: EMPTY,
      },
    },
    "bank.products.$id._index": {
      loader: { path: () => `/bank/products/${ids.product}`, expected: BANK_X },
      action: {
        path: () => `/bank/products/${ids.product}`,
        expected: only({ bankX: 400, bankY: 404 }),
        body: BOGUS_INTENT,
      },
    },
    "bank.products.$id.edit": {
      loader: { path: () => `/bank/products/${ids.product}/edit`, expected: BANK_X },
      action: {
        path: () => `/bank/products/${ids.product}/edit`,
        expected: only({ bankX: 400, bankY: 404 }),
        body: EMPTY,
      },
    },
    "bank.pipeline": { loader: { path: () => "/bank/pipeline", expected: BANK } },

    "firm.applications._index": { loader: { path: () => "/firm/applications", expected: FIRM } },
    "firm.applications.new": {
      loader: { path: () => `/firm/applications/new?productId=${ids.product}`, expected: FIRM },
      action: {
        path: () => `/firm/applications/new?productId=${ids.product}`,
        expected: only({ firmA: 400, firmB: 400 }),
        body: EMPTY,
      },
    },
    "firm.applications.$id": {
      loader: { path: () => `/firm/applications/${ids.application}`, expected: FIRM_A },
      action: {
        path: () => `/firm/applications/${ids.application}`,
        expected: only({ firmA: 400, firmB: 404 }),
        body: BOGUS_INTENT,
      },
    },
    "bank.applications._index": {
      loader: { path: () => "/bank/applications", expected: BANK },
    },
    // The loans themselves (who sees whose) are in loan-pages.test.ts; here the role gate, on an
    // application that has no loan account yet (404 past the gate).
    "bank.loans._index": { loader: { path: () => "/bank/loans", expected: BANK } },
    // Filing a claim: bank X's application is not a defaulted loan (the page says so), bank Y's
    // view of it is 404; the empty form is refused before the model.
    "bank.loans.$id_.claim": {
      loader: {
        path: () => `/bank/loans/${ids.application}/claim`,
        expected: only({ bankX: 200, bankY: 404 }),
      },
      action: {
        path: () => `/bank/loans/${ids.application}/claim`,
        expected: only({ bankX: 400, bankY: 400 }),
        body: EMPTY,
      },
    },
    // Listing a loan's IP for disposal: the same gate as filing a claim (bank X's application is
    // not a defaulted loan, so the page says so; bank Y is told it does not exist).
    "bank.loans.$id_.dispose": {
      loader: {
        path: () => `/bank/loans/${ids.application}/dispose`,
        expected: only({ bankX: 200, bankY: 404 }),
      },
      action: {
        path: () => `/bank/loans/${ids.application}/dispose`,
        expected: only({ bankX: 400, bankY: 400 }),
        body: EMPTY,
      },
    },
    // The bank's own disposals; the matrix's listed disposal is bank X's.
    "bank.disposals._index": { loader: { path: () => "/bank/disposals", expected: BANK } },
    "bank.disposals.$id": {
      loader: { path: () => `/bank/disposals/${ids.disposal}`, expected: BANK_X },
      action: {
        path: () => `/bank/disposals/${ids.disposal}`,
        expected: only({ bankX: 400, bankY: 404 }),
        body: EMPTY,
      },
    },
    "bank.loans.$id": {
      loader: {
        path: () => `/bank/loans/${ids.application}`,
        expected: only({ bankX: 404, bankY: 404 }),
      },
      action: {
        path: () => `/bank/loans/${ids.application}`,
        expected: only({ bankX: 404, bankY: 404 }),
        body: BOGUS_INTENT,
      },
    },
    "firm.loans._index": { loader: { path: () => "/firm/loans", expected: FIRM } },
    "firm.loans.$id": {
      loader: {
        path: () => `/firm/loans/${ids.application}`,
        expected: only({ firmA: 404, firmB: 404 }),
      },
    },
    // Collateral monitoring: the watch lists, each loan's collateral page (who sees whose is in
    // collateral-pages.test.ts; here the role gate on an application without a loan account:
    // 404 past the gate) and the legal-status import of the banks and the admin.
    "bank.watch": { loader: { path: () => "/bank/watch", expected: BANK } },
    "firm.watch": { loader: { path: () => "/firm/watch", expected: FIRM } },
    "bank.loans.$id_.collateral": {
      loader: {
        path: () => `/bank/loans/${ids.application}/collateral`,
        expected: only({ bankX: 404, bankY: 404 }),
      },
      action: {
        path: () => `/bank/loans/${ids.application}/collateral`,
        expected: only({ bankX: 404, bankY: 404 }),
        body: BOGUS_INTENT,
      },
    },
    "firm.loans.$id_.collateral": {
      loader: {
        path: () => `/firm/loans/${ids.application}/collateral`,
        expected: only({ firmA: 404, firmB: 404 }),
      },
      action: {
        path: () => `/firm/loans/${ids.application}/collateral`,
        expected: only({ firmA: 404, firmB: 404 }),
        body: BOGUS_INTENT,
      },
    },
    "collateral.legal-events": {
      loader: {
        path: () => "/collateral/legal-events",
        expected: only({ bankX: 200, bankY: 200, admin: 200 }),
      },
      action: {
        path: () => "/collateral/legal-events",
        expected: only({ bankX: 400, bankY: 400, admin: 400 }),
        body: () => new FormData(),
      },
    },
    "collateral.legal-events-template[.csv]": {
      loader: {
        path: () => "/collateral/legal-events-template.csv",
        expected: only({ bankX: 200, bankY: 200, admin: 200 }),
      },
    },
    "bank.applications.$id": {
      loader: { path: () => `/bank/applications/${ids.application}`, expected: BANK_X },
      action: {
        path: () => `/bank/applications/${ids.application}`,
        expected: only({ bankX: 400, bankY: 404 }),
        body: BOGUS_INTENT,
      },
    },
    ledger: {
      loader: {
        path: () => "/ledger",
        expected: only({
          firmA: 200,
          firmB: 200,
          bankX: 200,
          bankY: 200,
          alliance: 200,
          admin: 200,
        }),
      },
    },

    "firm.appraisals._index": { loader: { path: () => "/firm/appraisals", expected: FIRM } },
    "firm.appraisals.new": {
      loader: { path: () => "/firm/appraisals/new", expected: FIRM },
      action: {
        path: () => "/firm/appraisals/new",
        expected: only({ firmA: 400, firmB: 400 }),
        body: EMPTY,
      },
    },
    "firm.appraisals.$id": {
      loader: { path: () => `/firm/appraisals/${ids.unpaidOrder}`, expected: FIRM_A },
      action: {
        path: () => `/firm/appraisals/${ids.unpaidOrder}`,
        expected: only({ firmA: 400, firmB: 404 }),
        body: BOGUS_INTENT,
      },
    },
    "valuer.orders._index": { loader: { path: () => "/valuer/orders", expected: VALUER } },
    "valuer.orders.$id": {
      loader: { path: () => `/valuer/orders/${ids.paidOrder}`, expected: VALUER },
      action: {
        path: () => `/valuer/orders/${ids.paidOrder}`,
        expected: only({ valuer: 400 }),
        body: BOGUS_INTENT,
      },
    },
    "appraisals.$id.report": {
      loader: {
        path: () => `/appraisals/${ids.report}/report`,
        expected: only({ firmA: 200, firmB: 404, valuer: 200, admin: 200 }),
      },
    },
    "admin.payments._index": { loader: { path: () => "/admin/payments", expected: ADMIN } },
    "admin.payments.$id": {
      loader: { path: () => `/admin/payments/${ids.unpaidOrder}`, expected: ADMIN },
      action: {
        path: () => `/admin/payments/${ids.unpaidOrder}`,
        expected: only({ admin: 400 }),
        body: EMPTY,
      },
    },
    "admin.settings.appraisal-fee": {
      loader: { path: () => "/admin/settings/appraisal-fee", expected: ADMIN },
      action: {
        path: () => "/admin/settings/appraisal-fee",
        expected: only({ admin: 400 }),
        body: EMPTY,
      },
    },
    "admin.settings.target": {
      loader: { path: () => "/admin/settings/target", expected: ADMIN },
      action: {
        path: () => "/admin/settings/target",
        expected: only({ admin: 400 }),
        body: form({
          "phases[0].name": "一期",
          "phases[0].amount": "不是金额",
          "phases[0].deadline": "2030-12-31",
        }),
      },
    },
    "admin.invitations": {
      loader: { path: () => "/admin/invitations", expected: ADMIN },
      action: { path: () => "/admin/invitations", expected: only({ admin: 400 }), body: EMPTY },
    },
    "admin.audit": { loader: { path: () => "/admin/audit", expected: ADMIN } },
    team: {
      loader: {
        path: () => "/team",
        expected: only({ firmA: 200, firmB: 200, bankX: 200, bankY: 200 }),
      },
      action: {
        path: () => "/team",
        expected: only({ firmA: 400, firmB: 400, bankX: 400, bankY: 400 }),
        body: EMPTY,
      },
    },
    "unsubscribe.$token": {
      loader: {
        path: () => `/unsubscribe/${unsubscribeToken(actors.firmA.userId)}`,
        expected: PUBLIC,
      },
      action: {
        path: () => `/unsubscribe/${unsubscribeToken(actors.firmA.userId)}`,
        expected: all(400),
        body: EMPTY,
      },
    },
    "admin.outbox": { loader: { path: () => "/admin/outbox", expected: ADMIN } },
    "admin.users": {
      loader: { path: () => "/admin/users?q=actors", expected: ADMIN },
      action: { path: () => "/admin/users", expected: only({ admin: 400 }), body: EMPTY },
    },
    "admin.settings.two-factor": {
      loader: { path: () => "/admin/settings/two-factor", expected: ADMIN },
      action: {
        path: () => "/admin/settings/two-factor",
        expected: only({ admin: 400 }),
        body: form({ roles: "root" }),
      },
    },
    "account.two-factor": {
      loader: { path: () => "/account/two-factor", expected: MEMBERS },
      action: {
        path: () => "/account/two-factor",
        expected: { ...all(400), anonymous: "login" },
        body: BOGUS_INTENT,
      },
    },
    // Without the signed pending state a right password gives, the code step sends back to log in.
    "login_.two-factor": {
      loader: { path: () => "/login/two-factor", expected: all(302) },
      action: { path: () => "/login/two-factor", expected: all(302), body: EMPTY },
    },
    "admin.ledger": {
      loader: { path: () => "/admin/ledger", expected: ADMIN },
      action: { path: () => "/admin/ledger", expected: only({ admin: 400 }), body: EMPTY },
    },

    "alliance.review._index": { loader: { path: () => "/alliance/review", expected: REVIEWERS } },
    "alliance.review.applications": {
      loader: {
        path: () => "/alliance/review/applications?stage=submitted",
        expected: REVIEWERS,
      },
    },
    "alliance.review[.csv]": {
      loader: { path: () => "/alliance/review.csv?table=funnel", expected: REVIEWERS },
    },
    "alliance.review.applications[.csv]": {
      loader: {
        path: () => "/alliance/review/applications.csv?stage=submitted",
        expected: REVIEWERS,
      },
    },
  };

  it("covers every loader and action in app/routes", () => {
    const dir = path.resolve("app/routes");
    const found: string[] = [];
    const missing: string[] = [];
    for (const file of readdirSync(dir)) {
      const source = readFileSync(path.join(dir, file), "utf8");
      const name = file.replace(/\.tsx?$/, "");
      const exports = (fn: string) =>
        new RegExp(`export (async function ${fn}\\b|function ${fn}\\b|const ${fn}\\b)`).test(
          source,
        );
      found.push(name);
      if (exports("loader") && !ROUTES[name]?.loader) missing.push(`${name} loader`);
      const elsewhere = COVERED_BELOW.includes(`${name} action`);
      if (exports("action") && !ROUTES[name]?.action && !elsewhere) missing.push(`${name} action`);
    }
    expect(missing).toEqual([]);
    expect(Object.keys(ROUTES).sort()).toEqual(found.sort());
  });

  for (const [name, cases] of Object.entries(ROUTES)) {
    if (cases.loader) {
      const c = cases.loader;
      it.each(matrix(c.expected))(`GET ${name} as %s → %s`, async (actor, outcome) => {
        await expectOutcome(app, actors, actor, c.path(), outcome);
      });
    }
    if (cases.action) {
      const c = cases.action;
      it.each(matrix(c.expected))(`POST ${name} as %s → %s`, async (actor, outcome) => {
        const body = c.body?.() ?? "";
        const headers =
          typeof body === "string" && !body.startsWith("{")
            ? { "content-type": "application/x-www-form-urlencoded" }
            : typeof body === "string"
              ? { "content-type": "application/json" }
              : undefined;
        await expectOutcome(app, actors, actor, c.path(), outcome, {
          method: "POST",
          headers,
          body,
        });
      });
    }
  }

  describe("POST logout", () => {
    it.each(matrix(all(302)))("as %s → %s, ending that session", async (actor) => {
      const cookie = actor === "anonymous" ? null : await loginCookie(app, actors[actor].email);
      const res = await app.fetch("/logout", {
        method: "POST",
        headers: { origin: app.baseURL, ...(cookie ? { cookie } : {}) },
      });
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/");
      if (cookie) {
        const after = await app.fetch("/notifications", { headers: { cookie } });
        expect(after.status).toBe(302);
        expect(after.headers.get("location")).toMatch(/^\/login\?/);
      }
    });
  });

  it("answers a page number past the end of a list without an error", async () => {
    const huge = "page=99999999999999999999";
    const lists: [Actor, string][] = [
      ["admin", "/admin/audit"],
      ["admin", "/admin/outbox"],
      ["admin", "/admin/payments"],
      ["admin", "/admin/ledger"],
      ["firmA", "/notifications"],
      ["firmA", "/firm/assets"],
      ["firmA", "/firm/requests"],
      ["firmA", "/firm/appraisals"],
      ["firmA", "/firm/applications"],
      ["firmA", "/ledger"],
      ["bankX", "/bank/products"],
      ["bankX", "/bank/pipeline"],
      ["bankX", "/bank/applications"],
      ["bankX", "/bank/watch"],
      ["firmA", "/firm/watch"],
      ["valuer", "/valuer/orders"],
      ["anonymous", "/products"],
      ["alliance", "/alliance/review/applications?stage=submitted"],
    ];
    for (const [actor, list] of lists) {
      const p = `${list}${list.includes("?") ? "&" : "?"}${huge}`;
      const res = await requestAs(app, actors, actor, p);
      expect(res.status, p).toBe(200);
      await res.body?.cancel();
    }
  });

  it("wrote nothing to the audit log while refusing all of the above", async () => {
    expect(await countRows(t.db, "audit_log")).toBe(auditBefore);
  });
});

/** Actions with a test of their own below the table. */
const COVERED_BELOW = ["logout action"];
