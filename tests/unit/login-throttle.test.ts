import { describe, expect, it } from "vitest";
import {
  delayAfterFailures,
  FREE_FAILURES,
  MAX_DELAY_MS,
  pairKey,
} from "../../app/domain/login-throttle";

describe("log-in throttle delays", () => {
  it("lets the first failures of an (account, address) pair through without delay", () => {
    for (let n = 0; n < FREE_FAILURES.pair; n++) expect(delayAfterFailures("pair", n)).toBe(0);
  });

  it("doubles the delay with each failure beyond the free ones", () => {
    const free = FREE_FAILURES.pair;
    expect(delayAfterFailures("pair", free)).toBe(30_000);
    expect(delayAfterFailures("pair", free + 1)).toBe(60_000);
    expect(delayAfterFailures("pair", free + 4)).toBe(480_000);
  });

  it("never delays for longer than 15 minutes, however many failures", () => {
    expect(delayAfterFailures("pair", 40)).toBe(MAX_DELAY_MS);
    expect(delayAfterFailures("ip", 10_000)).toBe(MAX_DELAY_MS);
  });

  it("gives an address more free failures than a single pair", () => {
    expect(delayAfterFailures("ip", FREE_FAILURES.pair)).toBe(0);
    expect(FREE_FAILURES.ip).toBeGreaterThan(FREE_FAILURES.pair);
  });

  it("keeps keys within the column width for a very long address", () => {
    expect(pairKey("a".repeat(400), "1.2.3.4").length).toBe(320);
  });
});
