// Auto-lend rules: the form a lender fills in, the IAutoLend.Rule it becomes (field names as in the
// contract, amounts in base units), and the contract's InvalidRule(field, value) in plain words.
import { isAddress } from "viem";
import { formatBps, formatMoney, parseBps, parseUnits, shortAddress, type Token } from "./format";
import { gradeName, PURPOSES } from "./domain";
import { checkWhole } from "./validate";

export const DAY = 86_400;
const MONTH = 30 * DAY;
export const ALL_PURPOSES = 2 ** 32 - 1;
/** "Other" (purpose code 9) also stands for the codes 10..31 that have no name. */
const OTHER = PURPOSES.length - 1;
const OTHER_BITS = ALL_PURPOSES - (2 ** OTHER - 1);
export const ANYONE = "0x0000000000000000000000000000000000000000";

export type RuleForm = { deposit: string; worstGrade: string; minApr: string; maxApr: string; maxMonths: string;
  minCollateral: string; maxPd: string; maxPerLoan: string; maxPerBorrower: string; budget: string; days: string; reinvest: boolean;
  purposes: number; operator: string };
export type FormField = keyof RuleForm;

/** IAutoLend.Rule as the API takes it (uint256 as decimal strings). */
export type Rule = { worstGrade: number; minAprBps: number; maxAprBps: number; maxTerm: number; minCollateralRatioBps: number;
  maxPerLoan: string; maxPerBorrower: string; budget: string; expiry: number; reinvest: boolean; purposeMask: number;
  maxPdBps: number; operator: string };

export const NEW_RULE: RuleForm = { deposit: "500", worstGrade: "4", minApr: "8", maxApr: "30", maxMonths: "24", minCollateral: "0",
  maxPd: "20", maxPerLoan: "100", maxPerBorrower: "200", budget: "1000", days: "30", reinvest: false, purposes: ALL_PURPOSES,
  operator: "" };

/** Whether the purpose at `index` of PURPOSES is accepted by `mask` ("Other": any of codes 9..31). */
export function acceptsPurpose(mask: number, index: number): boolean {
  const bits = index === OTHER ? OTHER_BITS : 2 ** index;
  return (mask & bits) !== 0;
}

/** `mask` with the purpose at `index` of PURPOSES accepted or not. */
export function withPurpose(mask: number, index: number, accepted: boolean): number {
  const bits = index === OTHER ? OTHER_BITS : 2 ** index;
  return (accepted ? mask | bits : mask & ~bits) >>> 0;
}

/** Which form input shows a refusal of each contract field. */
export const FORM_FIELD: Record<string, FormField> = { worstGrade: "worstGrade", minAprBps: "minApr", maxAprBps: "maxApr",
  maxTerm: "maxMonths", minCollateralRatioBps: "minCollateral", maxPerLoan: "maxPerLoan", maxPerBorrower: "maxPerBorrower",
  budget: "budget", expiry: "days", maxPdBps: "maxPd", purposeMask: "purposes", operator: "operator", token: "deposit" };

const MESSAGES: Record<string, string> = {
  worstGrade: "Choose a grade from A+ to E.",
  maxAprBps: "The highest rate can be at most 100%.",
  minAprBps: "The lowest rate is above the highest.",
  maxTerm: "The longest term is too long.",
  minCollateralRatioBps: "The collateral asked for can be at most 500% of the loan.",
  maxPerLoan: "The amount per loan is too large.",
  maxPerBorrower: "The amount per borrower is too large.",
  budget: "The budget is too large.",
  expiry: "The rule must last into the future.",
  purposeMask: "Accept at least one loan purpose.",
  maxPdBps: "The chance of default is at most 100%.",
  token: "Choose the token to lend.",
};

/** The contract's InvalidRule(field, value) in words, naming the field as the contract does. */
export function invalidRuleMessage(field: string): string {
  return `${MESSAGES[field] ?? "This value is not accepted."} (InvalidRule: ${field})`;
}

type Parsed = { ok: true; rule: Rule; deposit: bigint } | { ok: false; errors: Partial<Record<FormField, string>> };

/** The form as a rule, checked for what the browser can tell alone (the API checks the rest). */
export function parseRule(f: RuleForm, token: Token, now: number): Parsed {
  const errors: Partial<Record<FormField, string>> = {};
  const bps = (k: FormField) => { const p = parseBps(String(f[k])); if (!p.ok) errors[k] = p.error; return p.ok ? Number(p.value) : 0; };
  const units = (k: FormField) => { const p = parseUnits(String(f[k]), token.decimals); if (!p.ok) errors[k] = p.error; return p.ok ? p.value : 0n; };
  const count = (k: FormField, label: string, min: number, max: number) => {
    const c = checkWhole(String(f[k]), label, min, max); if (!c.ok) errors[k] = c.error; return c.ok ? c.value : 0; };
  if (f.purposes === 0) errors.purposes = "Accept at least one loan purpose.";
  const operator = f.operator.trim() || ANYONE;
  if (!isAddress(operator, { strict: false })) errors.operator = "An address (0x and 40 hexadecimal digits), or leave it empty for anyone.";
  const rule: Rule = { worstGrade: count("worstGrade", "Worst grade", 1, 9), minAprBps: bps("minApr"), maxAprBps: bps("maxApr"),
    maxTerm: count("maxMonths", "Longest term", 1, 120) * MONTH, minCollateralRatioBps: bps("minCollateral"),
    maxPerLoan: units("maxPerLoan").toString(), maxPerBorrower: units("maxPerBorrower").toString(), budget: units("budget").toString(),
    expiry: now + count("days", "Days the rule lasts", 1, 365) * DAY, reinvest: f.reinvest, purposeMask: f.purposes,
    maxPdBps: bps("maxPd"), operator };
  const deposit = units("deposit");
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, rule, deposit };
}

/** The form for editing a commitment's rule (GET /lenders/{a}/commitments `rule`), lasting `days` more. */
export function formOf(rule: Record<string, string | boolean>, token: Token, now: number): RuleForm {
  const units = (v: string | boolean) => formatMoney(String(v), token, token.decimals).replace(/ .*$/, "").replace(/,/g, "");
  const percent = (v: string | boolean) => formatBps(String(v)).replace("%", "");
  return { deposit: "0", worstGrade: String(rule.worstGrade), minApr: percent(rule.minAprBps), maxApr: percent(rule.maxAprBps),
    maxMonths: String(Math.max(1, Math.round(Number(rule.maxTerm) / MONTH))), minCollateral: percent(rule.minCollateralRatioBps),
    maxPd: percent(rule.maxPdBps), maxPerLoan: units(rule.maxPerLoan), maxPerBorrower: units(rule.maxPerBorrower),
    budget: units(rule.budget), days: String(Math.min(365, Math.max(1, Math.ceil((Number(rule.expiry) - now) / DAY)))),
    reinvest: rule.reinvest === true, purposes: Number(rule.purposeMask),
    operator: BigInt(String(rule.operator)) === 0n ? "" : String(rule.operator) };
}

/** The rule as viem encodes the IAutoLend.Rule tuple. */
export function onChain(r: Rule) {
  return { worstGrade: BigInt(r.worstGrade), minAprBps: r.minAprBps, maxAprBps: r.maxAprBps, maxTerm: BigInt(r.maxTerm),
    minCollateralRatioBps: r.minCollateralRatioBps, maxPerLoan: BigInt(r.maxPerLoan), maxPerBorrower: BigInt(r.maxPerBorrower),
    budget: BigInt(r.budget), expiry: BigInt(r.expiry), reinvest: r.reinvest, purposeMask: BigInt(r.purposeMask),
    maxPdBps: r.maxPdBps, operator: r.operator };
}

/** ", only for a, b" or ", for any purpose but c" (the shorter list), or nothing when all are accepted. */
function purposesText(mask: number): string {
  const names = PURPOSES.map((p) => p.toLowerCase());
  const accepted = names.filter((_, i) => acceptsPurpose(mask, i));
  const excluded = names.filter((_, i) => !acceptsPurpose(mask, i));
  if (excluded.length === 0) return "";
  return accepted.length <= excluded.length ? `, only for ${accepted.join(", ")}` : `, for any purpose but ${excluded.join(", ")}`;
}

/** One sentence saying what the rule lends. */
export function describeRule(r: Rule, token: Token): string {
  const m = (v: string) => formatMoney(v, token);
  return `Lends up to ${m(r.budget)} in total, at most ${m(r.maxPerLoan)} per loan and ${m(r.maxPerBorrower)} per borrower, ` +
    `to grades A+ to ${gradeName(r.worstGrade)} with at most ${formatBps(r.maxPdBps)} chance of default, ` +
    `${formatBps(r.minAprBps)}–${formatBps(r.maxAprBps)} APR, terms up to ${Math.round(r.maxTerm / MONTH)} months` +
    `${Number(r.minCollateralRatioBps) ? `, collateral at least ${formatBps(r.minCollateralRatioBps)} of the loan` : ""}` +
    purposesText(Number(r.purposeMask)) +
    `${BigInt(r.operator) === 0n ? "" : `; only ${shortAddress(r.operator)} (or you) may fund from it`}.`;
}

/** A warning of POST /rules/validate (allowed, but probably not meant) in words. */
export function warningText(w: { code: string; message: string }): string {
  if (w.code === "budget_above_deposit") return "The budget is above the deposit: the rule lends only what is deposited until you deposit more.";
  if (w.code === "funds_nothing") return "The most per loan, the most per borrower or the budget is 0: the rule would fund nothing.";
  return w.message;
}

/** Why the backtest left listings out (POST /rules/preview `refusals`: the contract's error names,
 *  the bot's filter reasons, "limits reached"), in words. */
const REFUSALS: Record<string, string> = { GradeOutsideRule: "grade below the worst accepted", AprOutsideRule: "rate outside the range",
  TermOutsideRule: "term too long", CollateralOutsideRule: "too little collateral", PurposeOutsideRule: "purpose not accepted",
  PdOutsideRule: "chance of default too high", OwnLoan: "your own listing", TokenMismatch: "in another token",
  "limits reached": "budget or per-borrower limit already used" };

export function refusalWords(key: string): string {
  return REFUSALS[key] ?? key.replace(/^filter: /, "");
}

/** The off-chain filters of a commitment (GET/PUT /me/commitments/{id}/filters): only the platform's bot follows them. */
export type Filters = { blocked_borrowers: string[]; max_loans_per_day: number | null; min_score: number | null; paused: boolean };
export type FiltersForm = { blocked: string; perDay: string; minScore: string };
export type FiltersErrors = Partial<Record<keyof FiltersForm, string>>;

export function filtersForm(f: Filters): FiltersForm {
  return { blocked: f.blocked_borrowers.join("\n"), perDay: f.max_loans_per_day?.toString() ?? "", minScore: f.min_score?.toString() ?? "" };
}

/** The filters form checked as the API would (empty limits: none). */
export function parseFilters(f: FiltersForm, paused: boolean): { ok: true; filters: Filters } | { ok: false; errors: FiltersErrors } {
  const errors: FiltersErrors = {};
  const blocked = f.blocked.split(/[\s,]+/).filter(Boolean);
  const bad = blocked.find((a) => !isAddress(a, { strict: false }));
  if (bad) errors.blocked = `"${bad}" is not an address (0x and 40 hexadecimal digits).`;
  const limit = (k: "perDay" | "minScore", label: string, min: number, max: number) => {
    if (!f[k].trim()) return null;
    const c = checkWhole(f[k], label, min, max);
    if (!c.ok) errors[k] = c.error;
    return c.ok ? c.value : null;
  };
  const filters = { blocked_borrowers: blocked, max_loans_per_day: limit("perDay", "Loans a day", 1, 10_000),
    min_score: limit("minScore", "Minimum score", 0, 100), paused };
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, filters };
}
