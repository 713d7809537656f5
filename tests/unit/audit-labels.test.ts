import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WORKFLOW_ACTIONS } from "../../app/domain/application";
import {
  AUDIT_ENTITY_TYPES,
  auditActionKey,
  auditEntityHref,
  auditEntityKey,
} from "../../app/domain/audit";
import { getFixedT } from "../../app/utils/i18n";

const MODELS = path.resolve(__dirname, "../../app/models");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith(".ts") ? [full] : [];
  });
}

/**
 * The values a template placeholder in an action code can take. A new placeholder fails the test
 * until it is listed here (and its codes get labels).
 */
const PLACEHOLDERS: Record<string, readonly string[]> = {
  "spec.action": WORKFLOW_ACTIONS,
  // appraisal_order.stripe_${effect}: written for every PaymentEffect but "none".
  effect: ["pay", "fail", "pending"],
};

/** Every action code that a writeAudit call in app/models can write, with where it is. */
function writtenActions(): { code: string; where: string }[] {
  const out: { code: string; where: string }[] = [];
  for (const file of files(MODELS)) {
    const src = readFileSync(file, "utf8");
    const rel = path.relative(MODELS, file);
    for (const call of src.matchAll(/writeAudit\(\s*\w+\s*,\s*\{([\s\S]*?)\n\s*\}\)/g)) {
      const action = /\baction:\s*([^\n]+?),?\n/.exec(call[1] + "\n");
      if (!action) {
        out.push({ code: "<no action property>", where: rel });
        continue;
      }
      const expr = action[1];
      for (const lit of expr.matchAll(/"([^"]+)"/g)) out.push({ code: lit[1], where: rel });
      for (const tpl of expr.matchAll(/`([^`]+)`/g)) {
        const m = /^(.*)\$\{([^}]+)\}(.*)$/.exec(tpl[1]);
        const values = m ? PLACEHOLDERS[m[2].trim()] : undefined;
        if (!m || !values) out.push({ code: `<unknown template ${tpl[1]}>`, where: rel });
        else for (const v of values) out.push({ code: `${m[1]}${v}${m[3]}`, where: rel });
      }
      if (!/["`]/.test(expr)) out.push({ code: `<not a literal: ${expr}>`, where: rel });
    }
  }
  return out;
}

describe("audit trail labels", () => {
  const actions = writtenActions();

  it("finds the action codes the models write", () => {
    const codes = new Set(actions.map((a) => a.code));
    // A sample from several models, so a broken scan cannot pass by finding nothing.
    for (const c of [
      "asset.create",
      "firm.consent_show_name",
      "application.submit",
      "application.disburse",
      "appraisal_order.stripe_pay",
      "appraisal_order.sign",
      "loan.repayment.reverse",
    ]) {
      expect(codes).toContain(c);
    }
    expect(codes.size).toBeGreaterThan(60);
  });

  it("has a label for every written action code in zh-CN and en", () => {
    const missing: string[] = [];
    for (const locale of ["zh-CN", "en"] as const) {
      const t = getFixedT(locale);
      for (const { code, where } of actions) {
        const key = auditActionKey(code);
        const label = t(key, { defaultValue: "" });
        if (!label || label === key) missing.push(`${locale} ${code} (${where})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("labels differ between the languages and are not the code", () => {
    const zh = getFixedT("zh-CN");
    const en = getFixedT("en");
    for (const { code } of actions) {
      expect(zh(auditActionKey(code))).not.toBe(en(auditActionKey(code)));
      expect(en(auditActionKey(code))).not.toBe(code);
    }
  });

  it("keeps codes that share a prefix apart", () => {
    expect(auditActionKey("loan.repayment")).toBe("auth:audit.actions.loan.repayment");
    expect(auditActionKey("loan.repayment.reverse")).toBe(
      "auth:audit.actions.loan.repayment_reverse",
    );
    const keys = new Set(actions.map((a) => auditActionKey(a.code)));
    expect(keys.size).toBe(new Set(actions.map((a) => a.code)).size);
  });

  it("has a word for every entity type the models write, in both languages", () => {
    for (const file of files(MODELS)) {
      for (const m of readFileSync(file, "utf8").matchAll(/entityType:\s*"([^"]+)"/g)) {
        expect(AUDIT_ENTITY_TYPES as readonly string[]).toContain(m[1]);
      }
    }
    for (const type of [...AUDIT_ENTITY_TYPES, "something_new"]) {
      for (const t of [getFixedT("zh-CN"), getFixedT("en")]) {
        const key = auditEntityKey(type);
        expect(t(key)).not.toBe(key);
      }
    }
  });

  it("links an object to the admin's page where there is one", () => {
    const row = { action: "appraisal_order.sign", entityType: "appraisal_order", entityId: "7" };
    expect(auditEntityHref({ ...row, appraisalId: 3 })).toBe("/appraisals/3/report");
    expect(auditEntityHref(row)).toBeNull();
    expect(
      auditEntityHref({ action: "disposal.list", entityType: "disposal", entityId: "5" }),
    ).toBe("/disposals/5");
    expect(
      auditEntityHref({ action: "settings.target_phases", entityType: "setting", entityId: "x" }),
    ).toBe("/admin/settings/target");
    expect(auditEntityHref({ action: "asset.create", entityType: "ip_asset", entityId: "1" })).toBe(
      null,
    );
  });
});
