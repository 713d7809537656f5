import { describe, expect, it } from "vitest";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

describe("GET /healthz on the built server", () => {
  useTestDb();
  const app = useAppServer();

  it("answers 200 with only up/down, nothing about the database", async () => {
    const res = await app.fetch("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ ok: true, status: "up" });
  });

  it("carries the security headers every response gets", async () => {
    const res = await app.fetch("/healthz");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });
});
