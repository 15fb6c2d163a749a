// The platform's vocabulary: grades, loan statuses and purposes, as the contracts number them.

export const GRADES = ["A+", "A", "B+", "B", "C+", "C", "D+", "D", "E"] as const; // codes 1..9
export const STATUSES = ["None", "Listed", "Active", "Repaid", "Defaulted", "Cancelled", "Expired", "Closed"] as const;

/** Grade code (1 = A+ .. 9 = E) or name -> name. */
export function gradeName(grade: number | string | null | undefined): string {
  if (grade === null || grade === undefined) return "—";
  if (typeof grade === "string" && !/^\d+$/.test(grade)) return grade;
  return GRADES[Number(grade) - 1] ?? "?";
}

export function gradeCode(grade: number | string): number {
  if (typeof grade === "number") return grade;
  if (/^\d+$/.test(grade)) return Number(grade);
  return GRADES.indexOf(grade as (typeof GRADES)[number]) + 1;
}

export function statusName(status: number | string): string {
  return typeof status === "number" ? (STATUSES[status] ?? String(status)) : status.charAt(0).toUpperCase() + status.slice(1);
}

/** Purpose codes 0..31 on chain; the first ten are the scoring model's categories. */
export const PURPOSES = ["Debt consolidation", "Home improvement", "Business", "Education", "Vehicle", "Medical",
  "Household", "Major purchase", "Life event", "Other"] as const;
export const PURPOSE_KEYS = ["debt_consolidation", "home_improvement", "business", "education", "vehicle", "medical",
  "household", "major_purchase", "life_event", "other"] as const;

export function purposeName(code: number | string | null | undefined): string {
  if (code === null || code === undefined) return "—";
  if (typeof code === "string" && !/^\d+$/.test(code)) return code.replace(/_/g, " ");
  return PURPOSES[Number(code)] ?? `Other (code ${code})`;
}

/** What each grade means, in words for someone new to credit grades. */
export function gradeHint(grade: number | string): string {
  const code = gradeCode(grade);
  if (code <= 2) return "very low predicted risk";
  if (code <= 4) return "low predicted risk";
  if (code <= 6) return "moderate predicted risk";
  if (code <= 8) return "high predicted risk";
  return "very high predicted risk";
}

export const LATE_POLICY_TEXT =
  "If a payment is late: after the grace period a one-off late fee is added; 120 days after the first missed due date anyone may mark the loan as defaulted, and any collateral can then be sold (liquidated) to repay lenders. Lenders can lose money.";

/** A loan's own terms: scored with each listing, not part of the borrower's profile (and an
 *  attestation does not bind them), so profile reasons leave them out. */
export const LOAN_SIGNALS = ["loan_amount", "term_months", "purpose"];

/** Scoring signals (scoring/schema.py names) in words. */
const SIGNAL_NAMES: Record<string, string> = { identity_verified: "identity check", phone_verified: "phone check", email_verified: "email check",
  income_verified: "income check", bank_account_verified: "bank account link", social_accounts: "linked social accounts",
  social_account_age_months: "age of the oldest social account", endorsements: "endorsements", wallet_age_days: "wallet age",
  wallet_tx_count: "wallet activity", debt_to_income: "debt to income", prior_loans_repaid: "loans repaid here",
  prior_on_time_payments: "on-time payments here", prior_late_payments: "late payments here", prior_defaults: "defaults here",
  monthly_income: "monthly income", employment_months: "time in the current job", employment_status: "employment status",
  homeowner: "home ownership", checking_balance: "checking balance", savings_balance: "savings", overdrafts_12m: "overdrafts (12 months)",
  bureau_score: "credit bureau score", loan_amount: "loan amount", term_months: "loan term", purpose: "loan purpose" };
const REASON_STATES: Record<string, string> = { missing: "not provided", no: "not verified", low: "low", high: "high" };

export function signalName(signal: unknown): string {
  return SIGNAL_NAMES[String(signal)] ?? String(signal).replace(/_/g, " ");
}

/** A score reason's state ("missing", "no", "low", "high" or a category value) in words. */
export function reasonState(state: unknown): string {
  return REASON_STATES[String(state)] ?? String(state).replace(/_/g, " ");
}
