import type { DemoLogin } from "../db/seed";

const ROLE_ZH: Record<string, string> = {
  admin: "平台管理员 admin",
  firm: "企业 firm",
  bank_officer: "银行客户经理 bank officer",
  valuer: "评估机构 valuer",
  alliance: "联盟成员 alliance",
};

const ALLIANCE_KIND_ZH: Record<string, string> = {
  government: "联盟成员·政府 government",
  insurer: "联盟成员·保险 insurer",
  guarantor: "联盟成员·担保 guarantor",
};

export function printLogins(logins: DemoLogin[], password: string) {
  console.log("\nDemo log-ins (password for all: " + password + ")");
  for (const l of logins)
    console.log(
      `  ${((l.allianceKind && ALLIANCE_KIND_ZH[l.allianceKind]) || ROLE_ZH[l.role]).padEnd(28)} ${l.email.padEnd(26)} ${l.org}`,
    );
  console.log("");
}
