import { describe, expect, it } from "vitest";
import { chinaDateOf, formatInstant } from "../../app/domain/dates";
import { fromDbInstant, toDbInstant } from "../../app/utils/time";

/** The one way an instant is shown: Beijing time (UTC+8) of the stored UTC text. */
describe("formatInstant", () => {
  it.each([
    // stored UTC                  day           minute               second
    ["2025-06-15 02:03:04.567", "2025-06-15", "2025-06-15 10:03", "2025-06-15 10:03:04"],
    // the day boundary: 16:00 UTC is midnight in Beijing
    ["2025-12-31 15:59:59.999", "2025-12-31", "2025-12-31 23:59", "2025-12-31 23:59:59"],
    ["2025-12-31 16:00:00.000", "2026-01-01", "2026-01-01 00:00", "2026-01-01 00:00:00"],
    // month ends and leap days move with the clock
    ["2024-02-28 16:30:00.000", "2024-02-29", "2024-02-29 00:30", "2024-02-29 00:30:00"],
    ["2025-02-28 16:30:00.000", "2025-03-01", "2025-03-01 00:30", "2025-03-01 00:30:00"],
    ["2025-06-30 23:59:59.999", "2025-07-01", "2025-07-01 07:59", "2025-07-01 07:59:59"],
    // stored without milliseconds, or as ISO with T and Z
    ["2025-06-15 02:03:04", "2025-06-15", "2025-06-15 10:03", "2025-06-15 10:03:04"],
    ["2025-06-15T02:03:04.567Z", "2025-06-15", "2025-06-15 10:03", "2025-06-15 10:03:04"],
  ])("shows %s as %s / %s / %s", (at, day, minute, second) => {
    expect(formatInstant(at, "day")).toBe(day);
    expect(chinaDateOf(at)).toBe(day);
    expect(formatInstant(at)).toBe(minute);
    expect(formatInstant(at, "minute")).toBe(minute);
    expect(formatInstant(at, "second")).toBe(second);
  });

  it.each(["", "2025-06-15", "yesterday", "2025-13-01 00:00:00", "2025-06-15 25:00:00"])(
    "refuses %j, which is not a stored instant",
    (at) => {
      expect(() => formatInstant(at)).toThrow(RangeError);
    },
  );

  it("reads back every shown minute as the instant it came from (a year, hour by hour)", () => {
    const start = Date.UTC(2024, 0, 1);
    for (let ms = start; ms < start + 366 * 86_400_000; ms += 3_600_000 + 60_000) {
      const at = toDbInstant(new Date(ms));
      const shown = formatInstant(at, "second");
      // Beijing has no daylight saving: the shown time is always exactly UTC+8.
      const back = Date.parse(shown.replace(" ", "T") + "+08:00");
      expect(back).toBe(fromDbInstant(at).getTime() - (ms % 1000));
      expect(formatInstant(at, "day")).toBe(shown.slice(0, 10));
    }
  });
});
