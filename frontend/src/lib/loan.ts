// Derived facts about a loan summary from the API.
import type { LoanSummary } from "../api/types";

export const termSeconds = (l: LoanSummary) => l.instalments * l.period;
export const remaining = (l: LoanSummary) => BigInt(l.principal) - BigInt(l.funded);
export const isListed = (l: LoanSummary) => l.status === "listed";
