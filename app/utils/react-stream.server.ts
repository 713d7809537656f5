import { Transform } from "node:stream";

/**
 * React 18's streaming renderer encodes text into 2,048-byte views; when a multi-byte character
 * (every Chinese character is three bytes in UTF-8) does not fit at the end of a view, it sends the
 * whole view anyway, so the page carries one to three NUL bytes there (facebook/react#24985, fixed
 * by facebook/react#26228 only in React 19). Browsers mostly hide them, but they are in every byte
 * we serve, cache and hash. HTML never carries a NUL of its own, so the padding is cut off the end
 * of each full view as it passes.
 */
export const REACT_VIEW_SIZE = 2048;

export function stripReactViewPadding(chunk: Uint8Array): Uint8Array {
  if (chunk.length !== REACT_VIEW_SIZE) return chunk;
  let end = chunk.length;
  while (end > chunk.length - 3 && chunk[end - 1] === 0) end--;
  return end === chunk.length ? chunk : chunk.subarray(0, end);
}

/** The stream the renderer pipes into: a PassThrough that drops the padding. */
export function reactHtmlStream(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, stripReactViewPadding(chunk));
    },
  });
}
