import { describe, expect, it } from "vitest";
import {
  MIN_PASSWORD_SCORE,
  passwordWeakness,
  personalPieces,
} from "../../app/domain/password-policy";
import { describeUserAgent } from "../../app/domain/user-agent";

describe("password policy", () => {
  it("refuses a low zxcvbn score as common", () => {
    expect(passwordWeakness("password123", 0, [])).toBe("common");
    expect(passwordWeakness("lantern-orchard-velvet", MIN_PASSWORD_SCORE, [])).toBeNull();
  });
  it("refuses a password containing the e-mail, its local part or the company name", () => {
    const inputs = ["wang.jianguo@firm.test", "包头稀土科技有限公司"];
    expect(passwordWeakness("WangJianguo-2026!", 4, inputs)).toBe("personal");
    expect(passwordWeakness("我爱包头稀土科技", 4, inputs)).toBe("personal");
    expect(passwordWeakness("lantern-orchard-velvet", 4, inputs)).toBeNull();
  });
  it("ignores pieces shorter than four characters", () => {
    expect(personalPieces(["ab@x.cn"])).toEqual(["abxcn"]);
  });
});

describe("device from the User-Agent", () => {
  it("names browser and system, Edge before Chrome, WeChat before both", () => {
    expect(
      describeUserAgent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0",
      ),
    ).toEqual({ browser: "Edge", os: "Windows", mobile: false });
    expect(
      describeUserAgent(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50",
      ),
    ).toEqual({ browser: "WeChat", os: "iOS", mobile: true });
    expect(describeUserAgent(null)).toEqual({ browser: null, os: null, mobile: false });
  });
});
