import { PassThrough, type Writable } from "node:stream";
import { text } from "node:stream/consumers";
import { renderToPipeableStream, renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import {
  REACT_VIEW_SIZE,
  reactHtmlStream,
  stripReactViewPadding,
} from "../../app/utils/react-stream.server";

/** A page of Chinese text long enough to cross many of the renderer's 2,048-byte views. */
function Page() {
  const rows = Array.from({ length: 400 }, (_, i) => `第${i}笔知识产权质押融资：贷款金额已放款。`);
  return (
    <ul>
      {rows.map((r, i) => (
        <li key={i}>{r.slice(0, (i % 7) + 5)}</li>
      ))}
    </ul>
  );
}

function streamed(into: Writable & NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const { pipe } = renderToPipeableStream(<Page />, {
      onAllReady() {
        pipe(into);
        text(into).then(resolve, reject);
      },
      onShellError: reject,
    });
  });
}

describe("the HTML stream (React 18's view padding, facebook/react#24985)", () => {
  it("serves the rendered page byte for byte, without NUL padding", async () => {
    const html = await streamed(reactHtmlStream());
    expect(html).not.toContain("\u0000");
    expect(html).toBe(renderToString(<Page />));
  });

  it("is needed: the renderer alone pads views that end inside a character", async () => {
    // If this starts failing, React no longer pads (React 19): reactHtmlStream can go.
    const raw = await streamed(new PassThrough());
    expect(raw).toContain("\u0000");
    expect(raw.replaceAll("\u0000", "")).toBe(renderToString(<Page />));
  });

  it("cuts at most three NULs, and only off a full view", () => {
    const full = new Uint8Array(REACT_VIEW_SIZE).fill(0x41);
    full.fill(0, REACT_VIEW_SIZE - 2);
    expect(stripReactViewPadding(full).length).toBe(REACT_VIEW_SIZE - 2);
    const allZero = new Uint8Array(REACT_VIEW_SIZE);
    expect(stripReactViewPadding(allZero).length).toBe(REACT_VIEW_SIZE - 3);
    const short = new Uint8Array([0x41, 0, 0]);
    expect(stripReactViewPadding(short)).toBe(short);
    const clean = new Uint8Array(REACT_VIEW_SIZE).fill(0x41);
    expect(stripReactViewPadding(clean)).toBe(clean);
  });
});
