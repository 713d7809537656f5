import { useTranslation } from "react-i18next";
import { formatBp, formatMoney, formatMoneyExact } from "../domain/money";
import { splitByShares, SHARE_PARTIES, type SplitFen } from "../domain/risk-sharing/shares";

/** What a pool's figures need (app/models/risk-sharing/pools.server.ts PoolSummary). */
export interface PoolFiguresView {
  id: number;
  contributedFen: number;
  balanceFen: number;
  exposureFen: number;
  limitFen: number;
  leverageBp: number | null;
  leverageCapBp: number;
  claimsPaidFen: number;
  recoveredFen: number;
  headroomFen: number;
  coveredLoans: number;
  openClaims: number;
}

/** Leverage as a multiple, e.g. 189400 bp → "18.94×". */
export const times = (bp: number | null) =>
  bp === null ? "—" : `${formatBp(bp / 100, 2, { symbol: false })}×`;

/** A pool's capital, exposure, leverage, claims paid, recoveries and what is left. */
export function PoolFigures({ pool: p }: { pool: PoolFiguresView }) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoney(fen, i18n.language);
  return (
    <dl
      style={{
        display: "grid",
        gridTemplateColumns: "repeat(auto-fit, minmax(9rem, 1fr))",
        gap: "0.5rem",
      }}
    >
      {(
        [
          ["contributed", money(p.contributedFen)],
          ["balance", money(p.balanceFen)],
          ["exposure", money(p.exposureFen)],
          ["limit", money(p.limitFen)],
          ["leverage", times(p.leverageBp)],
          ["leverageCap", times(p.leverageCapBp)],
          ["claimsPaid", money(p.claimsPaidFen)],
          ["recovered", money(p.recoveredFen)],
          ["headroom", money(p.headroomFen)],
          ["coveredLoans", String(p.coveredLoans)],
          ["openClaims", String(p.openClaims)],
        ] as const
      ).map(([k, v]) => (
        <div key={k}>
          <dt className="muted">{t(`risk:pools.${k}`)}</dt>
          <dd data-testid={`pool-${p.id}-${k}`}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Who carries what of an amount, by the pool's shares (the bank's part is its own loss). */
export function PayoutSplit({
  amountFen,
  shares,
  parts,
  payers,
  testId,
}: {
  amountFen: number;
  shares: Readonly<Record<(typeof SHARE_PARTIES)[number], number>>;
  parts?: SplitFen | null;
  /** Who paid each part (the bound insurer or guarantor), once paid. */
  payers?: Partial<Record<(typeof SHARE_PARTIES)[number], string>> | null;
  testId?: string;
}) {
  const { t, i18n } = useTranslation();
  const split = parts ?? splitByShares(amountFen, shares);
  return (
    <table className="data" data-testid={testId}>
      <tbody>
        {SHARE_PARTIES.filter((p) => shares[p] > 0).map((p) => (
          <tr key={p}>
            <th scope="row">
              {t(`risk:parties.${p}`)} ({formatBp(shares[p], 2, { trim: true })})
              {payers?.[p] ? (
                <small className="muted" data-testid={testId ? `${testId}-${p}-payer` : undefined}>
                  {" "}
                  · {payers[p]}
                </small>
              ) : null}
            </th>
            <td data-testid={testId ? `${testId}-${p}` : undefined}>
              {formatMoneyExact(split[p], i18n.language)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Who gets what of a disposal's proceeds (docs/domain.md#disposal): each sharer its share, capped
 * at what it paid and has not recovered, the bank the rest. Shows every party with a share or a
 * part, so a bank that takes a capped sharer's remainder is listed even without a share.
 */
export function RecoverySplit({
  parts,
  shares,
  unrecoveredFen,
  testId,
}: {
  parts: SplitFen;
  shares: Readonly<Record<(typeof SHARE_PARTIES)[number], number>> | null;
  unrecoveredFen?: Readonly<Omit<SplitFen, "bank">> | null;
  testId?: string;
}) {
  const { t, i18n } = useTranslation();
  const money = (fen: number) => formatMoneyExact(fen, i18n.language);
  const shown = SHARE_PARTIES.filter((p) => parts[p] > 0 || (shares?.[p] ?? 0) > 0);
  return (
    <table className="data" data-testid={testId}>
      <tbody>
        {shown.map((p) => (
          <tr key={p}>
            <th scope="row">
              {t(`risk:parties.${p}`)}
              {shares ? ` (${formatBp(shares[p], 2, { trim: true })})` : ""}
              {unrecoveredFen && p !== "bank" ? (
                <div className="muted">
                  {t("risk:bankDisposals.unrecovered")} {money(unrecoveredFen[p])}
                </div>
              ) : null}
            </th>
            <td data-testid={testId ? `${testId}-${p}` : undefined}>{money(parts[p])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
