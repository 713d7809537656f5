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
    delete process.env.DEMO;
    resetEnvForTests();
    expect(() => getEnv()).toThrow(/SESSION_SECRET: required in production/);
    process.env.DEMO = "0";
    resetEnvForTests();
    expect(() => getEnv()).toThrow(/SESSION_SECRET: required in production/);
  });

  it("refuses a placeholder SESSION_SECRET in a production deployment", () => {
    process.env.NODE_ENV = "production";
    process.env.DEMO = "0";
    process.env.SESSION_SECRET = "change-me-change-me-change-me-change-me";
    resetEnvForTests();
    expect(() => getEnv()).toThrow(/placeholder/);
    process.env.SESSION_SECRET = "x".repeat(40);
    resetEnvForTests();
    expect(() => getEnv()).toThrow(/placeholder/);
    process.env.SESSION_SECRET = "9f2c1e7a8b3d4f60a1b2c3d4e5f60718293a4b5c6d7e8f90";
    resetEnvForTests();
    expect(getEnv().SESSION_SECRET).toBe(process.env.SESSION_SECRET);
  });

  it("runs the production-mode demo (DEMO=1) with a generated secret", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "zr-env-"));
    try {
      process.env.NODE_ENV = "production";
      process.env.DEMO = "1";
      process.env.DATA_DIR = dir;
      delete process.env.SESSION_SECRET;
      vi.spyOn(console, "warn").mockImplementation(() => {});
      resetEnvForTests();
      const env = getEnv();
      expect(env.DEMO).toBe(true);
      expect(env.SESSION_SECRET).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
