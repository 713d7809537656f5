/**
 * The baseline of `npm run bench:http`: a bare node:http server that reads the home page's summary
 * with the same driver and the same query (getProgressSummary) and renders the same headline
 * figures, gzipped when asked. The app's `/` is measured against it (issue 15's `ratio`).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { formatMoney } from "../../app/domain/money";
import { getProgressSummary } from "../../app/models/progress.server";
import { getDb } from "../../app/utils/db.server";

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

const server = createServer((req, res) => {
  getProgressSummary(getDb())
    .then((p) => {
      const rows = p.byRegion
        .map((r) => `<li>${escape(r.key)}: ${escape(formatMoney(r.amountFen))}</li>`)
        .join("");
      const months = p.months.map((m) => `<li>${escape(JSON.stringify(m))}</li>`).join("");
      const html =
        `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>知融</title></head>` +
        `<body><h1>${escape(p.phaseName)}</h1><p>${escape(formatMoney(p.financedFen))} / ` +
        `${escape(formatMoney(p.targetFen))} (${(p.progressBp / 100).toFixed(2)}%)</p>` +
        `<p>${p.firmsFinanced} · ${escape(formatMoney(p.remainingFen))} · ${p.monthsLeft}</p>` +
        `<ul>${rows}</ul><ol>${months}</ol></body></html>`;
      let body = Buffer.from(html);
      const headers: Record<string, string> = { "content-type": "text/html; charset=utf-8" };
      if (/\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
        body = gzipSync(body);
        headers["content-encoding"] = "gzip";
      }
      headers["content-length"] = String(body.length);
      res.writeHead(200, headers).end(body);
    })
    .catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
});
server.listen(0, "127.0.0.1", () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on("disconnect", () => process.exit(0));
