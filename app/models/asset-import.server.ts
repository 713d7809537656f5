import { sql } from "kysely";
import type { AssetImport } from "../../db/schema";
import {
  markListedRows,
  parseImportFile,
  validateImportRecords,
  type FileProblem,
  type ImportRecord,
  type ImportRowError,
  type ImportValidation,
} from "../domain/asset-import";
import type { Db } from "../utils/db.server";
import { decodeUploadedText, type TextEncodingName } from "../utils/text-encoding.server";
import { nowInstant } from "../utils/time";
import { findListedNumbers, insertAssetRecords, notFound, type FirmActor } from "./asset.server";
import { writeAudit } from "./audit.server";
import { isUniqueViolation, UserFacingError } from "./errors";

/**
 * Staged CSV imports (asset_imports, migration 005). Two steps:
 *  1. stageImport: decode (UTF-8 with or without BOM, else GBK), parse, check every line by the
 *     form rules, look every number up against the platform, and keep the result server-side;
 *     nothing is written to ip_assets.
 *  2. commitImport, only when the firm confirms: every valid line in ONE transaction, in batches
 *     of 500, or nothing. Lines with problems are skipped (the preview listed them). If a number
 *     was listed by someone else between preview and confirm, the whole transaction rolls back,
 *     the preview is re-checked and the firm is asked to confirm again.
 */

export interface StagedPayload {
  valid: ImportRecord[];
  errors: ImportRowError[];
  ignoredHeaders: string[];
}

export type StageResult =
  | { ok: true; importId: number; validation: ImportValidation }
  | { ok: false; problem: FileProblem; encoding: TextEncodingName };

function payloadOf(row: Pick<AssetImport, "rows_json">): StagedPayload {
  return JSON.parse(row.rows_json) as StagedPayload;
}

async function checkAgainstPlatform(
  db: Db,
  orgId: number,
  v: ImportValidation,
): Promise<ImportValidation> {
  const { listed, own } = await findListedNumbers(db, orgId, v.valid);
  return markListedRows(v, listed, own);
}

export async function stageImport(
  db: Db,
  actor: FirmActor,
  upload: { fileName: string; bytes: Uint8Array },
  today: string,
): Promise<StageResult> {
  const { text, encoding } = decodeUploadedText(upload.bytes);
  const file = parseImportFile(text);
  if (!file.ok) return { ok: false, problem: file.problem, encoding };
  const checked = validateImportRecords(file.header, file.records, today);
  const validation = await checkAgainstPlatform(db, actor.orgId, checked);
  const payload: StagedPayload = {
    valid: validation.valid,
    errors: validation.errors,
    ignoredHeaders: file.header.ignored,
  };
  const importId = await db.transaction().execute(async (trx) => {
    const now = nowInstant();
    const res = await trx
      .insertInto("asset_imports")
      .values({
        firm_org_id: actor.orgId,
        created_by: actor.userId,
        created_at: now,
        updated_at: now,
        file_name: upload.fileName.slice(0, 255),
        encoding,
        status: "staged",
        total_rows: validation.totalRows,
        valid_rows: validation.valid.length,
        error_rows: validation.errorRows,
        rows_json: JSON.stringify(payload),
      })
      .executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "asset_import.stage",
      entityType: "asset_import",
      entityId: id,
      toState: "staged",
      detail: {
        fileName: upload.fileName,
        encoding,
        totalRows: validation.totalRows,
        validRows: validation.valid.length,
        errorRows: validation.errorRows,
      },
    });
    return id;
  });
  return { ok: true, importId, validation };
}

export interface ImportView {
  id: number;
  status: AssetImport["status"];
  fileName: string;
  encoding: string;
  createdAt: string;
  finishedAt: string | null;
  totalRows: number;
  validRows: number;
  errorRows: number;
  importedRows: number;
  version: number;
  payload: StagedPayload;
}

/** The firm's staged import, or null (another firm's id is simply not found). */
export async function getImport(db: Db, orgId: number, id: number): Promise<ImportView | null> {
  const row = await db
    .selectFrom("asset_imports")
    .selectAll()
    .where("id", "=", id)
    .where("firm_org_id", "=", orgId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    status: row.status,
    fileName: row.file_name,
    encoding: row.encoding,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    totalRows: row.total_rows,
    validRows: row.valid_rows,
    errorRows: row.error_rows,
    importedRows: row.imported_rows,
    version: row.version,
    payload: payloadOf(row),
  };
}

export interface CommitProgress {
  done: number;
  total: number;
}

function stateError(status: AssetImport["status"]): UserFacingError {
  const key = status === "imported" ? "already_imported" : "cancelled";
  return new UserFacingError(`assets:import.errors.${key}`, {}, undefined, 409);
}

/**
 * Writes every valid row of a staged import in one transaction. `onProgress` hears the running
 * count after each batch (the confirm page streams it). Returns the number of assets created.
 */
export async function commitImport(
  db: Db,
  actor: FirmActor,
  importId: number,
  opts: { onProgress?: (p: CommitProgress) => void | Promise<void> } = {},
): Promise<number> {
  const staged = await getImport(db, actor.orgId, importId);
  if (!staged) throw notFound();
  if (staged.status !== "staged") throw stateError(staged.status);
  const rows = staged.payload.valid;
  if (rows.length === 0) {
    throw new UserFacingError("assets:import.errors.nothing_valid", {}, undefined, 400);
  }
  try {
    return await db.transaction().execute(async (trx) => {
      const now = nowInstant();
      // Claim the import first: a second confirm (double click, second tab) finds it no longer
      // staged. On MySQL it waits for this row lock and then sees 'imported'.
      const claim = await trx
        .updateTable("asset_imports")
        .set({
          status: "imported",
          imported_rows: rows.length,
          finished_at: now,
          updated_at: now,
          version: sql<number>`version + 1`,
          rows_json: JSON.stringify({ ...staged.payload, valid: [] } satisfies StagedPayload),
        })
        .where("id", "=", importId)
        .where("firm_org_id", "=", actor.orgId)
        .where("status", "=", "staged")
        .where("version", "=", staged.version)
        .executeTakeFirst();
      if (Number(claim.numUpdatedRows) !== 1) throw stateError("imported");
      await opts.onProgress?.({ done: 0, total: rows.length });
      const inserted = await insertAssetRecords(trx, actor.orgId, rows, (done) =>
        opts.onProgress?.({ done, total: rows.length }),
      );
      await writeAudit(trx, {
        actorUserId: actor.userId,
        orgId: actor.orgId,
        action: "asset_import.commit",
        entityType: "asset_import",
        entityId: importId,
        fromState: "staged",
        toState: "imported",
        detail: {
          imported: inserted,
          skippedLines: staged.errorRows,
          patents: rows.filter((r) => r.assetKind === "patent").length,
          trademarks: rows.filter((r) => r.assetKind === "trademark").length,
        },
      });
      return inserted;
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // Someone listed one of these numbers after the preview: nothing was written. Re-check the
    // staged rows so the preview shows the new clash, and ask for confirmation again.
    await recheckStagedImport(db, actor, importId);
    throw new UserFacingError("assets:import.errors.changed_since_preview", {}, undefined, 409);
  }
}

/** Re-runs the platform lookup of a staged import and stores the updated preview. */
export async function recheckStagedImport(
  db: Db,
  actor: FirmActor,
  importId: number,
): Promise<void> {
  const staged = await getImport(db, actor.orgId, importId);
  if (!staged || staged.status !== "staged") return;
  const { listed, own } = await findListedNumbers(db, actor.orgId, staged.payload.valid);
  const v = markListedRows(
    {
      totalRows: staged.totalRows,
      valid: staged.payload.valid,
      errors: staged.payload.errors,
      errorRows: staged.errorRows,
    },
    listed,
    own,
  );
  const payload: StagedPayload = { ...staged.payload, valid: v.valid, errors: v.errors };
  await db
    .updateTable("asset_imports")
    .set({
      rows_json: JSON.stringify(payload),
      valid_rows: v.valid.length,
      error_rows: v.errorRows,
      updated_at: nowInstant(),
      version: sql<number>`version + 1`,
    })
    .where("id", "=", importId)
    .where("firm_org_id", "=", actor.orgId)
    .where("status", "=", "staged")
    .where("version", "=", staged.version)
    .execute();
}

/** The firm does not want it: nothing is imported and the staged rows are dropped. */
export async function cancelImport(db: Db, actor: FirmActor, importId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable("asset_imports")
      .set({
        status: "cancelled",
        rows_json: JSON.stringify({ valid: [], errors: [], ignoredHeaders: [] }),
        finished_at: nowInstant(),
        updated_at: nowInstant(),
        version: sql<number>`version + 1`,
      })
      .where("id", "=", importId)
      .where("firm_org_id", "=", actor.orgId)
      .where("status", "=", "staged")
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) {
      const row = await trx
        .selectFrom("asset_imports")
        .select("status")
        .where("id", "=", importId)
        .where("firm_org_id", "=", actor.orgId)
        .executeTakeFirst();
      if (!row) throw notFound();
      throw stateError(row.status);
    }
    await writeAudit(trx, {
      actorUserId: actor.userId,
      orgId: actor.orgId,
      action: "asset_import.cancel",
      entityType: "asset_import",
      entityId: importId,
      fromState: "staged",
      toState: "cancelled",
    });
  });
}
