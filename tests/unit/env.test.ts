import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getEnv, resetEnvForTests } from "../../app/utils/env.server";

describe("environment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    resetEnvForTests();
    vi.restoreAllMocks();
  });

  it("refuses to start in production without SESSION_SECRET", () => {
    process.env.NODE_ENV = "production";
    delete process.env.SESSION_SECRET;
    resetEnvForTests();
    expect(() => getEnv()).toThrow(/SESSION_SECRET: required in production/);
  });

  it("generates a development secret into the data directory with a warning, once", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "zr-env-"));
    try {
      process.env.NODE_ENV = "development";
      process.env.DATA_DIR = dir;
      delete process.env.SESSION_SECRET;
      const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
      resetEnvForTests();
      const first = getEnv().SESSION_SECRET;
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(readFileSync(path.join(dir, "dev-session-secret"), "utf8")).toBe(first);
      expect(warn).toHaveBeenCalledTimes(1);
      resetEnvForTests();
      expect(getEnv().SESSION_SECRET).toBe(first);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("defaults PORT to 3000 and rejects a DATABASE_URL of an unknown kind", () => {
    delete process.env.PORT;
    resetEnvForTests();
    expect(getEnv().PORT).toBe(3000);
    process.env.DATABASE_URL = "postgres://x";
    resetEnvForTests();
    expect(() => getEnv()).toThrow(/DATABASE_URL must start with mysql:\/\/ or file:/);
  });
});
