import iconv from "iconv-lite";

/**
 * What an uploaded text file was written in. Excel on a Chinese Windows saves "CSV (逗号分隔)" in
 * the ANSI code page, i.e. GBK (CP936); "CSV UTF-8" adds a BOM; other tools write UTF-8 without
 * one. GBK multi-byte text is almost never valid UTF-8 (a GBK lead byte 0x81–0xFE followed by a
 * trail byte rarely forms a UTF-8 sequence over a whole file), so: strict UTF-8 decodes → UTF-8,
 * otherwise GBK. GB 18030 is a superset of GBK and decodes GBK files identically, so we decode
 * with it to accept the rare four-byte characters too.
 */
export type TextEncodingName = "utf-8" | "utf-8-bom" | "gbk";

export interface DecodedText {
  text: string;
  encoding: TextEncodingName;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

export function decodeUploadedText(bytes: Uint8Array): DecodedText {
  if (
    bytes.length >= 3 &&
    bytes[0] === UTF8_BOM[0] &&
    bytes[1] === UTF8_BOM[1] &&
    bytes[2] === UTF8_BOM[2]
  ) {
    return { text: new TextDecoder("utf-8").decode(bytes.subarray(3)), encoding: "utf-8-bom" };
  }
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return { text, encoding: "utf-8" };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes), "gb18030"), encoding: "gbk" };
  }
}

/** For the downloadable template: UTF-8 with a BOM, so Excel opens the Chinese headers right. */
export function encodeUtf8WithBom(text: string): Uint8Array<ArrayBuffer> {
  const body = new TextEncoder().encode(text);
  const out = new Uint8Array(body.length + 3);
  out.set(UTF8_BOM, 0);
  out.set(body, 3);
  return out;
}
