/**
 * Products and financing requests through their models: validation writes nothing, edits are
 * version-checked and audited, quota edits move the remaining quota, pausing is a checked state
 * change, snapshots do not follow later edits, and a request's collateral summary follows its
 * assets (refreshRequestCollateralBounds).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ConflictError, UserFacingError } from "../../app/models/errors";
import {
  collateralColumns,
  productTermsFromRow,
  ASSET_ENGINE_COLUMNS,
} from "../../app/domain/matching/rows";
import {
  createProduct,
  getBankProduct,
  listBankProducts,
  listCatalogue,
  productSnapshot,
  ProductValidationError,
  setProductActive,
  updateProduct,
  type ProductInput,
} from "../../app/models/product.server";
import {
  closeRequest,
  createRequest,
  getFirmRequest,
  listFirmRequests,
  refreshRequestCollateralBounds,
  updateRequest,
} from "../../app/models/request.server";
import { nowInstant, todayInChina } from "../../app/utils/time";
import { testDbKind, useTestDb, type TestDb } from "../support/db";

const WAN = 1_000_000;

function productInput(over: Partial<ProductInput> = {}): ProductInput {
  return {
    name: "科创知识产权质押贷",
    description: "测试产品",
    minAmountFen: 50 * WAN,
    maxAmountFen: 2000 * WAN,
    minTermMonths: 6,
    maxTermMonths: 36,
    minRateBp: 365,
    maxRateBp: 500,
    pledgeRateBp: { invention: 3000, utility_model: 2000, design: 0, trademark: 4000 },
    acceptedIpTypes: ["invention", "utility_model", "trademark"],
    minRemainingYears: { invention: 5, utility_model: 3, design: 0, trademark: 0 },
    trademarkMinAgeYears: 3,
    regions: "all",
    industries: "all",
    requiredFlags: [],
    requiresFormalAppraisal: true,
    quotaTotalFen: 10_000 * WAN,
    riskShare: { governmentBp: 3000, insurerBp: 0, guarantorBp: 0 },
    interestSubsidyBp: 3000,
    ...over,
  };
}

async function count(t: TestDb, table: "loan_products" | "financing_requests" | "audit_log") {
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function org(t: TestDb, kind: "bank" | "firm", name: string, region = "150200") {
  const res = await t.db
    .insertInto("organisations")
    .values({
      kind,
      name,
      region_code: kind === "firm" ? region : null,
      industry_section: kind === "firm" ? "C" : null,
      flag_high_tech: kind === "firm" ? 1 : 0,
      created_at: nowInstant(),
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

async function asset(
  t: TestDb,
  firmOrgId: number,
  number: string,
  over: Partial<Record<string, unknown>> = {},
) {
  const now = nowInstant();
  const res = await t.db
    .insertInto("ip_assets")
    .values({
      firm_org_id: firmOrgId,
      asset_kind: "patent",
      ip_type: "invention",
      number,
      title: `专利${number}`,
      status: "granted",
      filing_date: "2018-03-01",
      expiry_date: "2038-02-28",
      formal_value_fen: 500 * WAN,
      formal_valid_until: "2099-01-01",
      indicative_value_fen: 450 * WAN,
      created_at: now,
      updated_at: now,
      ...over,
    })
    .executeTakeFirstOrThrow();
  return Number(res.insertId);
}

describe(`product model (${testDbKind()})`, () => {
  const t = useTestDb();
  let bankX = 0;
  let bankY = 0;
  beforeAll(async () => {
    bankX = await org(t, "bank", "银行X");
    bankY = await org(t, "bank", "银行Y");
  });

  it("creates a product with its whole quota remaining, audited", async () => {
    const audits = await count(t, "audit_log");
    const id = await createProduct(t.db, { bankOrgId: bankX, userId: 7, input: productInput() });
    const row = (await getBankProduct(t.db, bankX, id))!;
    expect(Number(row.quota_remaining_fen)).toBe(10_000 * WAN);
    expect(row.version).toBe(1);
    expect(row.active).toBe(1);
    expect(productTermsFromRow(row)).toMatchObject({
      acceptedIpTypes: ["invention", "utility_model", "trademark"],
      regions: "all",
      requiresFormalAppraisal: true,
    });
    expect(await count(t, "audit_log")).toBe(audits + 1);
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: "product.create", entity_id: String(id), org_id: bankX });
  });

  it("refuses invalid terms field by field and writes nothing", async () => {
    const before = [await count(t, "loan_products"), await count(t, "audit_log")];
    const err = await createProduct(t.db, {
      bankOrgId: bankX,
      userId: 7,
      input: productInput({
        minAmountFen: 3000 * WAN,
        maxAmountFen: 2000 * WAN,
        minRateBp: 3500,
        riskShare: { governmentBp: 6000, insurerBp: 3000, guarantorBp: 2000 },
        regions: [],
      }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProductValidationError);
    const fields = (err as ProductValidationError).fieldErrors.map((e) => [e.field, e.code]);
    expect(fields).toEqual([
      ["maxAmountFen", "amount_min_gt_max"],
      ["minRateBp", "out_of_range"],
      ["regions", "regions_required"],
      ["riskShare", "risk_share_total_gt_100"],
    ]);
    expect([await count(t, "loan_products"), await count(t, "audit_log")]).toEqual(before);
  });

  it("saves an edit only against the version it was read at", async () => {
    const id = await createProduct(t.db, { bankOrgId: bankX, userId: 7, input: productInput() });
    await updateProduct(t.db, {
      bankOrgId: bankX,
      userId: 7,
      productId: id,
      expectedVersion: 1,
      input: productInput({ name: "改名后的产品", minRateBp: 380 }),
    });
    const row = (await getBankProduct(t.db, bankX, id))!;
    expect(row).toMatchObject({ name: "改名后的产品", min_rate_bp: 380, version: 2 });
    // A second officer still holding version 1 is told to reload; nothing changes.
    const stale = updateProduct(t.db, {
      bankOrgId: bankX,
      userId: 8,
      productId: id,
      expectedVersion: 1,
      input: productInput({ name: "被覆盖" }),
    });
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    expect((await getBankProduct(t.db, bankX, id))!.name).toBe("改名后的产品");
    const audit = await t.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "product.update")
      .where("entity_id", "=", String(id))
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].detail_json!).changed).toMatchObject({
      name: { from: "科创知识产权质押贷", to: "改名后的产品" },
      min_rate_bp: { from: 365, to: 380 },
    });
  });

  it("moves the remaining quota by the change of the total, never below 0", async () => {
    const id = await createProduct(t.db, { bankOrgId: bankX, userId: 7, input: productInput() });
    // 3,000万 of the 1亿 already committed (as the workflow would record it).
    await t.db
      .updateTable("loan_products")
      .set({ quota_remaining_fen: 7_000 * WAN })
      .where("id", "=", id)
      .execute();
    await updateProduct(t.db, {
      bankOrgId: bankX,
      userId: 7,
      productId: id,
      expectedVersion: 1,
      input: productInput({ quotaTotalFen: 15_000 * WAN }),
    });
    let row = (await getBankProduct(t.db, bankX, id))!;
    expect([Number(row.quota_total_fen), Number(row.quota_remaining_fen)]).toEqual([
      15_000 * WAN,
      12_000 * WAN,
    ]);
    await updateProduct(t.db, {
      bankOrgId: bankX,
      userId: 7,
      productId: id,
      expectedVersion: 2,
      input: productInput({ quotaTotalFen: 2_000 * WAN }),
    });
    row = (await getBankProduct(t.db, bankX, id))!;
    expect([Number(row.quota_total_fen), Number(row.quota_remaining_fen)]).toEqual([
      2_000 * WAN,
      0,
    ]);
  });

  it("keeps a snapshot taken before an edit unchanged", async () => {
    const id = await createProduct(t.db, { bankOrgId: bankX, userId: 7, input: productInput() });
    const before = JSON.stringify(productSnapshot((await getBankProduct(t.db, bankX, id))!));
    await updateProduct(t.db, {
      bankOrgId: bankX,
      userId: 7,
      productId: id,
      expectedVersion: 1,
      input: productInput({
        pledgeRateBp: { invention: 2000, utility_model: 1000, design: 0, trademark: 3000 },
      }),
    });
    const parsed = JSON.parse(before) as ReturnType<typeof productSnapshot>;
    expect(parsed.terms.pledgeRateBp.invention).toBe(3000);
    expect(parsed.version).toBe(1);
    const after = productSnapshot((await getBankProduct(t.db, bankX, id))!);
    expect(after.terms.pledgeRateBp.invention).toBe(2000);
    expect(after.version).toBe(2);
  });

  it("pauses and resumes with a version and state check; paused products leave the catalogue", async () => {
    const id = await createProduct(t.db, {
      bankOrgId: bankX,
      userId: 7,
      input: productInput({ name: "暂停测试" }),
    });
    const inCatalogue = async () =>
      (await listCatalogue(t.db, {}, 1, 1000)).rows.some((p) => p.id === id);
    expect(await inCatalogue()).toBe(true);
    await setProductActive(t.db, {
      bankOrgId: bankX,
      userId: 7,
      productId: id,
      expectedVersion: 1,
      active: false,
    });
    expect(await inCatalogue()).toBe(false);
    // Pausing again from the same version is a conflict, not a silent no-op.
    await expect(
      setProductActive(t.db, {
        bankOrgId: bankX,
        userId: 7,
        productId: id,
        expectedVersion: 1,
        active: false,
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    await setProductActive(t.db, {
      bankOrgId: bankX,
      userId: 7,
      productId: id,
      expectedVersion: 2,
      active: true,
    });
    expect(await inCatalogue()).toBe(true);
    const actions = await t.db
      .selectFrom("audit_log")
      .select(["action", "from_state", "to_state"])
      .where("entity_id", "=", String(id))
      .where("entity_type", "=", "loan_product")
      .orderBy("id")
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      "product.create",
      "product.pause",
      "product.resume",
    ]);
  });

  it("treats another bank's product as missing", async () => {
    const id = await createProduct(t.db, { bankOrgId: bankX, userId: 7, input: productInput() });
    expect(await getBankProduct(t.db, bankY, id)).toBeNull();
    const err = await updateProduct(t.db, {
      bankOrgId: bankY,
      userId: 9,
      productId: id,
      expectedVersion: 1,
      input: productInput({ name: "越权" }),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    expect((err as UserFacingError).status).toBe(404);
    await expect(
      setProductActive(t.db, {
        bankOrgId: bankY,
        userId: 9,
        productId: id,
        expectedVersion: 1,
        active: false,
      }),
    ).rejects.toMatchObject({ status: 404 });
    expect((await getBankProduct(t.db, bankX, id))!).toMatchObject({ name: "科创知识产权质押贷" });
    expect((await listBankProducts(t.db, bankY, 1)).total).toBe(0);
  });

  it("filters the catalogue by region, IP type, amount and term", async () => {
    const local = await createProduct(t.db, {
      bankOrgId: bankY,
      userId: 9,
      input: productInput({
        name: "包头专利贷",
        regions: ["150200"],
        acceptedIpTypes: ["invention"],
        pledgeRateBp: { invention: 3000, utility_model: 0, design: 0, trademark: 0 },
        minAmountFen: 100 * WAN,
        maxAmountFen: 500 * WAN,
        minTermMonths: 12,
        maxTermMonths: 24,
      }),
    });
    const ids = async (f: Parameters<typeof listCatalogue>[1]) =>
      (await listCatalogue(t.db, f, 1, 1000)).rows.map((p) => p.id);
    expect(await ids({ regionCode: "150200" })).toContain(local);
    expect(await ids({ regionCode: "150100" })).not.toContain(local);
    expect(await ids({ ipType: "trademark" })).not.toContain(local);
    expect(await ids({ amountFen: 600 * WAN })).not.toContain(local);
    expect(await ids({ amountFen: 500 * WAN, termMonths: 24 })).toContain(local);
    expect(await ids({ termMonths: 36 })).not.toContain(local);
  });
});

describe(`financing request model (${testDbKind()})`, () => {
  const t = useTestDb();
  let firmA = 0;
  let firmB = 0;
  let a1 = 0;
  let a2 = 0;
  let b1 = 0;
  beforeAll(async () => {
    firmA = await org(t, "firm", "企业A");
    firmB = await org(t, "firm", "企业B", "150600");
    a1 = await asset(t, firmA, "A1");
    a2 = await asset(t, firmA, "A2", {
      asset_kind: "trademark",
      ip_type: "trademark",
      status: "registered",
      registration_date: "2019-05-01",
      expiry_date: "2029-04-30",
      formal_value_fen: null,
      formal_valid_until: null,
      indicative_value_fen: 300 * WAN,
    });
    b1 = await asset(t, firmB, "B1");
  });

  const input = (over: Partial<Parameters<typeof createRequest>[1]["input"]> = {}) => ({
    amountFen: 300 * WAN,
    termMonths: 24,
    maxRateBp: 480,
    purpose: "采购设备",
    assetIds: [a1, a2],
    ...over,
  });

  it("copies the firm's profile and summarises the offered collateral", async () => {
    const id = await createRequest(t.db, { firmOrgId: firmA, userId: 1, input: input() });
    const req = (await getFirmRequest(t.db, firmA, id))!;
    expect(req).toMatchObject({
      status: "open",
      region_code: "150200",
      region_bit: 2,
      industry_bit: 4,
      flags_mask: 1,
      offered_types_mask: 1 | 8,
      offered_invention_fen: 500 * WAN,
      offered_trademark_fen: 300 * WAN,
      formal_invention_fen: 500 * WAN,
      formal_invention_count: 1,
      formal_invention_expiry_min: "2038-02-28",
      formal_invention_valid_min: "2099-01-01",
      formal_trademark_count: 0,
    });
    expect(req.assetIds).toEqual([a1, a2]);
  });

  it("refuses bad input and another firm's assets, writing nothing", async () => {
    const before = [await count(t, "financing_requests"), await count(t, "audit_log")];
    for (const [bad, field] of [
      [input({ amountFen: 0 }), "amountFen"],
      [input({ termMonths: 0 }), "termMonths"],
      [input({ maxRateBp: 3001 }), "maxRateBp"],
      [input({ purpose: "  " }), "purpose"],
      [input({ assetIds: [] }), "assetIds"],
      [input({ assetIds: [a1, b1] }), "assetIds"],
    ] as const) {
      const err = await createRequest(t.db, { firmOrgId: firmA, userId: 1, input: bad }).catch(
        (e: unknown) => e,
      );
      expect(err, field).toBeInstanceOf(UserFacingError);
      expect((err as UserFacingError).field).toBe(field);
    }
    expect([await count(t, "financing_requests"), await count(t, "audit_log")]).toEqual(before);
  });

  it("edits an open request against its version and closes it once", async () => {
    const id = await createRequest(t.db, { firmOrgId: firmA, userId: 1, input: input() });
    await updateRequest(t.db, {
      firmOrgId: firmA,
      userId: 1,
      requestId: id,
      expectedVersion: 1,
      input: input({ amountFen: 200 * WAN, assetIds: [a1] }),
    });
    let req = (await getFirmRequest(t.db, firmA, id))!;
    expect(req).toMatchObject({ amount_fen: 200 * WAN, version: 2, offered_trademark_fen: 0 });
    expect(req.assetIds).toEqual([a1]);
    await expect(
      updateRequest(t.db, {
        firmOrgId: firmA,
        userId: 1,
        requestId: id,
        expectedVersion: 1,
        input: input(),
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    // Another firm cannot touch it.
    await expect(
      closeRequest(t.db, { firmOrgId: firmB, userId: 2, requestId: id, expectedVersion: 2 }),
    ).rejects.toMatchObject({ status: 404 });
    await closeRequest(t.db, { firmOrgId: firmA, userId: 1, requestId: id, expectedVersion: 2 });
    req = (await getFirmRequest(t.db, firmA, id))!;
    expect(req.status).toBe("closed");
    await expect(
      updateRequest(t.db, {
        firmOrgId: firmA,
        userId: 1,
        requestId: id,
        expectedVersion: 3,
        input: input(),
      }),
    ).rejects.toMatchObject({ key: "products:errors.requestClosed" });
    expect(await getFirmRequest(t.db, firmB, id)).toBeNull();
    const list = await listFirmRequests(t.db, firmB, 1);
    expect(list.rows.map((r) => r.id)).not.toContain(id);
  });

  it("recomputes the collateral summary of open requests when an asset changes", async () => {
    const open = await createRequest(t.db, { firmOrgId: firmA, userId: 1, input: input() });
    const closed = await createRequest(t.db, { firmOrgId: firmA, userId: 1, input: input() });
    await closeRequest(t.db, {
      firmOrgId: firmA,
      userId: 1,
      requestId: closed,
      expectedVersion: 1,
    });
    // A formal appraisal of the trademark is signed (the appraisal model's transaction).
    await t.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("ip_assets")
        .set({ formal_value_fen: 320 * WAN, formal_valid_until: "2027-12-31" })
        .where("id", "=", a2)
        .execute();
      await refreshRequestCollateralBounds(trx, a2);
    });
    const assets = await t.db
      .selectFrom("ip_assets")
      .select(ASSET_ENGINE_COLUMNS)
      .where("id", "in", [a1, a2])
      .execute();
    const expected = collateralColumns(todayInChina(), assets);
    const row = (await getFirmRequest(t.db, firmA, open))!;
    expect(row).toMatchObject(expected);
    expect(row).toMatchObject({
      offered_trademark_fen: 320 * WAN,
      formal_trademark_fen: 320 * WAN,
      formal_trademark_registered_max: "2019-05-01",
    });
    // The closed request is left as it was.
    expect((await getFirmRequest(t.db, firmA, closed))!.formal_trademark_fen).toBe(0);
  });
});
