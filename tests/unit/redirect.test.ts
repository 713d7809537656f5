import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "../../app/domain/redirect";

describe("redirect after log-in stays on this site", () => {
  it("keeps a plain path with its query and fragment", () => {
    expect(safeRedirectPath("/firm/assets?page=2#x")).toBe("/firm/assets?page=2#x");
  });

  const hostile: [string, string][] = [
    ["a tab inside the path (the reported phish)", "/\t/evil.example/phish"],
    ["a newline inside the path", "/\n/evil.example"],
    ["CR/LF (header injection)", "/firm\r\nSet-Cookie: x=1"],
    ["a protocol-relative URL", "//evil.example/"],
    ["a backslash", "/\\evil.example"],
    ["an absolute URL", "https://evil.example/"],
    ["a javascript: URL", "javascript:alert(1)"],
    ["a NUL byte", "/firm\u0000"],
    ["an empty string", ""],
    ["a relative path", "firm"],
  ];
  for (const [what, to] of hostile) {
    it(`refuses ${what}`, () => {
      expect(safeRedirectPath(to, "/home")).toBe("/home");
    });
  }

  it("refuses what is not a string", () => {
    expect(safeRedirectPath(null)).toBe("/");
    expect(safeRedirectPath(42)).toBe("/");
  });

  it("normalises dot segments but never leaves the site", () => {
    expect(safeRedirectPath("/a/../b")).toBe("/b");
    expect(safeRedirectPath("/../../evil.example")).toBe("/evil.example");
  });
});
