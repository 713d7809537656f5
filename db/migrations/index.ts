import type { Migration } from "kysely";
import * as m001 from "./2026_11_27_001_foundation";

/**
 * The ordered list of migrations. Listed statically (not read from the file system) so the same
 * set runs from scripts, tests and the built server. Add new files here in name order.
 */
export const migrations: Record<string, Migration> = {
  "2026_11_27_001_foundation": m001,
};
