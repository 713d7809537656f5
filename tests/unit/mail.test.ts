import { describe, expect, it } from "vitest";
import { MAIL_MAX_RETRY_MS, mailRetryDelayMs } from "../../app/domain/mail";

describe("mail retries", () => {
  it("waits a minute after the first failure and doubles after each further one", () => {
    expect(mailRetryDelayMs(1)).toBe(60_000);
    expect(mailRetryDelayMs(2)).toBe(120_000);
    expect(mailRetryDelayMs(4)).toBe(480_000);
  });

  it("keeps retrying at most an hour apart, however long the outage", () => {
    expect(mailRetryDelayMs(7)).toBe(MAIL_MAX_RETRY_MS);
    expect(mailRetryDelayMs(5000)).toBe(MAIL_MAX_RETRY_MS);
  });
});
