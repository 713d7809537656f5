/**
 * A sentence for people, as data: a locale key ("namespace:path") and the values it needs, left
 * as the domain holds them (amounts in fen, rates in bp, region and IP-type codes). The UI words it
 * in the reader's language (app/utils/messages.ts `translateMessage`), so the domain never
 * picks a language. Parameter names carry their unit the same way as everywhere else:
 * `…Fen` is money, `…Bp` a rate, `…Months` and `…Years` durations; `region(s)`, `industry`/
 * `industries`, `flags`, `ipType` and `pledgeIpType(s)` are codes the sentence names.
 */
export type MessageParam = string | number | null | readonly string[] | readonly number[];

export interface Message {
  key: string;
  params: Readonly<Record<string, MessageParam>>;
}

export function message(key: string, params: Record<string, MessageParam> = {}): Message {
  return { key, params };
}
