/**
 * An empty list says what to do next, with the link that does it (issue 10: "empty states point
 * to the next step"), on the firm's and the bank's list pages.
 */
import { describe, expect, it } from "vitest";
import { requestAs, useActors, type Actor } from "../support/authz";
import { testDbKind, useTestDb } from "../support/db";
import { useAppServer } from "../support/http";

describe(`empty lists point to the next step (${testDbKind()})`, () => {
  const t = useTestDb();
  const app = useAppServer();
  const actors = useActors(t, app);

  /** The empty block's markup: from its opening tag to the end of its next-step link. */
  const emptyBlock = async (actor: Actor, path: string, testId: string) => {
    const res = await requestAs(app, actors, actor, path);
    expect(res.status).toBe(200);
    const html = await res.text();
    const start = html.indexOf(`data-testid="${testId}"`);
    expect(start, `${path} shows ${testId}`).toBeGreaterThan(0);
    const end = html.indexOf("</div>", start);
    return html.slice(start, end);
  };
  const nextHref = (block: string) =>
    /<a [^>]*href="([^"]+)"[^>]*data-testid="empty-next"/.exec(block)?.[1] ??
    /<a [^>]*data-testid="empty-next"[^>]*href="([^"]+)"/.exec(block)?.[1];

  it.each<[Actor, string, string, string, string]>([
    ["firmB", "/firm/requests", "requests-empty", "/firm/requests/new", "发布融资需求"],
    ["firmB", "/firm/applications", "applications-empty", "/products", "贷款产品"],
    ["firmB", "/firm/appraisals", "orders-empty", "/firm/appraisals/new", "委托"],
    ["firmB", "/firm/loans", "loans-empty", "/firm/applications", "查看我的贷款申请"],
    ["bankY", "/bank/products", "products-empty", "/bank/products/new", "发布新产品"],
    ["bankY", "/bank/applications", "applications-empty", "/bank/pipeline", "匹配的融资需求"],
    ["bankY", "/bank/loans", "loans-empty", "/bank/applications?state=pledge_registered", "待放款"],
  ])("%s on %s: %s links to %s", async (actor, path, testId, href, words) => {
    const block = await emptyBlock(actor, path, testId);
    expect(nextHref(block)?.replace(/&amp;/g, "&")).toBe(href);
    expect(block).toContain(words);
  });

  it("the firm's assets page offers adding a patent and the CSV import", async () => {
    const block = await emptyBlock("firmB", "/firm/assets", "assets-empty");
    expect(block).toContain('href="/firm/assets/new-patent"');
  });
});
