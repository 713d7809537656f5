import { describe, expect, it } from "vitest";
import {
  currentTime,
  fromDbInstant,
  nowInstant,
  replayAt,
  todayInChina,
  toDbInstant,
} from "../../app/utils/time";

describe("time", () => {
  it("stores instants as sortable UTC text and reads them back exactly", () => {
    const d = new Date("2025-03-04T05:06:07.089Z");
    expect(toDbInstant(d)).toBe("2025-03-04 05:06:07.089");
    expect(fromDbInstant("2025-03-04 05:06:07.089").getTime()).toBe(d.getTime());
  });

  it("takes the business day in China (UTC+8)", () => {
    expect(todayInChina(new Date("2025-12-31T15:59:59Z"))).toBe("2025-12-31");
    expect(todayInChina(new Date("2025-12-31T16:00:00Z"))).toBe("2026-01-01");
  });

  it("replays a past moment only while the seed step runs, and restores the clock after a failure", async () => {
    const at = new Date("2023-05-06T02:00:00Z");
    await replayAt(at, async () => {
      expect(nowInstant()).toBe("2023-05-06 02:00:00.000");
      expect(todayInChina()).toBe("2023-05-06");
    });
    expect(Math.abs(currentTime().getTime() - Date.now())).toBeLessThan(1000);
    await expect(
      replayAt(at, async () => {
        throw new Error("step failed");
      }),
    ).rejects.toThrow("step failed");
    expect(currentTime().getFullYear()).toBeGreaterThanOrEqual(2026);
  });
});
