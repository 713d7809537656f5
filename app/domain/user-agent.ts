/**
 * A device as the sessions page names it, read from the browser's User-Agent: the browser and the
 * operating system, each a fixed label (never the raw header text), or null when not recognised.
 * Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", WeChat says both.
 */
export interface DeviceLabel {
  browser: string | null;
  os: string | null;
  mobile: boolean;
}

const BROWSERS: [RegExp, string][] = [
  [/MicroMessenger\//, "WeChat"],
  [/DingTalk\//, "DingTalk"],
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/(OPR|Opera)\//, "Opera"],
  [/(Firefox|FxiOS)\//, "Firefox"],
  [/(Chrome|Chromium|CriOS)\//, "Chrome"],
  [/Version\/[\d.]+.*Safari\//, "Safari"],
  [/(curl|Wget|node|undici|python-requests)\b/i, "Script"],
];

const SYSTEMS: [RegExp, string][] = [
  [/HarmonyOS/, "HarmonyOS"],
  [/Android/, "Android"],
  [/(iPhone|iPad|iPod)/, "iOS"],
  [/Windows NT/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

export function describeUserAgent(ua: string | null | undefined): DeviceLabel {
  const s = (ua ?? "").slice(0, 512);
  const browser = BROWSERS.find(([re]) => re.test(s))?.[1] ?? null;
  const os = SYSTEMS.find(([re]) => re.test(s))?.[1] ?? null;
  return { browser, os, mobile: /Mobile|iPhone|Android/.test(s) };
}
