import { describe, expect, it } from "vitest";
import { dataPageTitle, pageDescription, pageTitle } from "../../app/utils/meta";

const root = (locale?: string) => [{ id: "root", data: locale ? { locale } : undefined }];

describe("page titles", () => {
  it("translates a key with the root loader's locale and adds the brand", () => {
    expect(pageTitle(root("zh-CN"), "auth:titles.login")).toEqual([{ title: "登录 · 知融" }]);
    expect(pageTitle(root("en"), "auth:titles.login")).toEqual([{ title: "Log in · Zhirong" }]);
    expect(pageTitle(root("en"), "applications:titles.bankApplication", { id: "12" })).toEqual([
      { title: "Application #12 · Zhirong" },
    ]);
  });

  it("falls back to Chinese without a root locale (an error page before the root loader ran)", () => {
    expect(pageTitle([], "common:titles.dashboard")).toEqual([{ title: "工作台 · 知融" }]);
    expect(pageTitle(root("fr"), "common:titles.dashboard")).toEqual([{ title: "工作台 · 知融" }]);
  });

  it("shows a page's own name as it is, and the key's words while there is none", () => {
    expect(dataPageTitle(root("en"), "草原红 {{x}}", "assets:titles.asset")).toEqual([
      { title: "草原红 {{x}} · Zhirong" },
    ]);
    expect(dataPageTitle(root("en"), undefined, "assets:titles.asset")).toEqual([
      { title: "IP asset · Zhirong" },
    ]);
  });

  it("describes a page in the user's language", () => {
    expect(pageDescription(root("zh-CN"), "products:titles.catalogueDescription")).toEqual([
      { name: "description", content: "内蒙古各银行知识产权质押贷款产品一览" },
    ]);
  });
});
