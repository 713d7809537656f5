import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pseudonymCode } from "../../app/utils/pseudonym.server";

describe("pseudonymCode", () => {
  it("is the first 4 upper-case hex digits of HMAC-SHA256 of firm:<id>, the same every time", () => {
    const code = pseudonymCode(42, "secret-a");
    expect(code).toMatch(/^[0-9A-F]{4}$/);
    expect(code).toBe(
      createHmac("sha256", "secret-a").update("firm:42").digest("hex").slice(0, 4).toUpperCase(),
    );
    expect(pseudonymCode(42, "secret-a")).toBe(code);
  });

  it("keeps the codes the hand-written HMAC gave, so pseudonyms already shown stay the same", () => {
    // Known answers recorded from the plain-TypeScript SHA-256/HMAC this module replaced.
    expect(pseudonymCode(7, "s")).toBe("C1BE");
    expect(pseudonymCode(42, "secret-a")).toBe("F735");
    expect(pseudonymCode(1, "秘密")).toBe("0C7E");
    expect(pseudonymCode(100000, "x".repeat(100))).toBe("C27B"); // key longer than one block
  });

  it("depends on the secret and the firm", () => {
    const codes = new Set(Array.from({ length: 20 }, (_, i) => pseudonymCode(i + 1, "s")));
    expect(codes.size).toBeGreaterThan(15); // collisions are possible but rare
    expect(pseudonymCode(1, "s")).not.toBe(pseudonymCode(1, "t"));
  });
});
