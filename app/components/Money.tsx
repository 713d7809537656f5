import { useTranslation } from "react-i18next";
import { formatMoney, formatMoneyExact, type MoneyUnit } from "../domain/money";

/**
 * An amount as the one money presentation shows it (docs/domain.md#money), with every fen on
 * demand: the exact figure is the title (hover) and appears beside it when tapped (focus).
 */
export function Money({ fen, unit }: { fen: number; unit?: MoneyUnit }) {
  const { i18n } = useTranslation();
  const text = formatMoney(fen, i18n.language, unit);
  const exact = formatMoneyExact(fen, i18n.language);
  if (exact.replace(/\.00(?= 元|$)/, "") === text) return <span className="money">{text}</span>;
  return (
    <span className="money money-scaled" title={exact} data-exact={exact} tabIndex={0}>
      {text}
    </span>
  );
}
