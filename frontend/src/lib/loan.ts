// Reading a loan summary from the API, whatever optional fields it carries.
import type { LoanSummary } from "../api/types";
import { ratioBps } from "./format";

export const termSeconds = (l: LoanSummary) => Number(l.term ?? l.instalments * l.period);
export const fundedBps = (l: LoanSummary) => l.funded_bps ?? ratioBps(l.funded, l.principal);
export const remaining = (l: LoanSummary) => BigInt(l.principal) - BigInt(l.funded);
/** The collateral ratio the listing offers (or, if the API does not say, the one its grade requires). */
export const collateralRatioBps = (l: LoanSummary) => l.collateral_ratio_bps ?? l.min_collateral_ratio_bps ?? 0;
export const isListed = (l: LoanSummary) => String(l.status).toLowerCase() === "listed" || l.status === (1 as unknown);
