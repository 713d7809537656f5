import { useTranslation } from "react-i18next";
import { REGIONS, regionName } from "../domain/regions";

/** The options of a 盟市 select: a first "any/none" option, then the 12 盟市 in code order. */
export function RegionOptions({ anyLabel }: { anyLabel: string }) {
  const { i18n } = useTranslation();
  return (
    <>
      <option value="">{anyLabel}</option>
      {REGIONS.map((r) => (
        <option key={r.code} value={r.code}>
          {regionName(r.code, i18n.language)}
        </option>
      ))}
    </>
  );
}
