import { afterAll, describe, expect, it } from "vitest";
import { createDb, getDbHandle, setDbHandle } from "../../app/utils/db.server";
import { allowConsoleError } from "../support/console";
import { useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

describe("GET /healthz when the database does not answer", () => {
  useTestDb();
  const app = useAppServer();
  const dead = createDb("mysql://root@127.0.0.1:1/nothing_here");
  afterAll(() => dead.db.destroy());

  it("answers 503 with only 'down' and logs the cause instead of showing it", async () => {
    allowConsoleError(/\[healthz\] database mysql down/);
    const live = getDbHandle();
    setDbHandle(dead);
    try {
      const res = await app.fetch("/healthz");
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ ok: false, status: "down" });
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|mysql/);
    } finally {
      setDbHandle(live);
    }
    expect((await app.fetch("/healthz")).status).toBe(200);
  });
});
