// Auto-lend rules: the form a lender fills in, the IAutoLend.Rule it becomes (field names as in the
// contract, amounts in base units), and the contract's InvalidRule(field, value) in plain words.
import { formatBps, formatMoney, parseBps, parseUnits, type Token } from "./format";
import { gradeName } from "./domain";

export const DAY = 86_400;
const MONTH = 30 * DAY;
export const ALL_PURPOSES = 2 ** 32 - 1;
export const ANYONE = "0x0000000000000000000000000000000000000000";

export type RuleForm = { deposit: string; worstGrade: string; minApr: string; maxApr: string; maxMonths: string;
  minCollateral: string; maxPd: string; maxPerLoan: string; maxPerBorrower: string; budget: string; days: string; reinvest: boolean };
export type FormField = keyof RuleForm;

/** IAutoLend.Rule as the API takes it (uint256 as decimal strings). */
export type Rule = { worstGrade: number; minAprBps: number; maxAprBps: number; maxTerm: number; minCollateralRatioBps: number;
  maxPerLoan: string; maxPerBorrower: string; budget: string; expiry: number; reinvest: boolean; purposeMask: number;
  maxPdBps: number; operator: string };

export const NEW_RULE: RuleForm = { deposit: "500", worstGrade: "4", minApr: "8", maxApr: "30", maxMonths: "24", minCollateral: "0",
  maxPd: "20", maxPerLoan: "100", maxPerBorrower: "200", budget: "1000", days: "30", reinvest: false };

/** Which form input shows a refusal of each contract field. */
export const FORM_FIELD: Record<string, FormField> = { worstGrade: "worstGrade", minAprBps: "minApr", maxAprBps: "maxApr",
  maxTerm: "maxMonths", minCollateralRatioBps: "minCollateral", maxPerLoan: "maxPerLoan", maxPerBorrower: "maxPerBorrower",
  budget: "budget", expiry: "days", maxPdBps: "maxPd", purposeMask: "worstGrade", token: "deposit" };

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

function whole(text: string, label: string, min: number, max: number): number | string {
  if (!/^\s*\d+\s*$/.test(text)) return `${label}: a whole number.`;
  const value = Number(text);
  return value < min || value > max ? `${label}: between ${min} and ${max}.` : value;
}

/** The form as a rule, checked for what the browser can tell alone (the API checks the rest). */
export function parseRule(f: RuleForm, token: Token, now: number): Parsed {
  const errors: Partial<Record<FormField, string>> = {};
  const bps = (k: FormField) => { const p = parseBps(String(f[k])); if (!p.ok) errors[k] = p.error; return p.ok ? Number(p.value) : 0; };
  const units = (k: FormField) => { const p = parseUnits(String(f[k]), token.decimals); if (!p.ok) errors[k] = p.error; return p.ok ? p.value : 0n; };
  const count = (k: FormField, label: string, min: number, max: number) => {
    const v = whole(String(f[k]), label, min, max); if (typeof v === "string") errors[k] = v; return typeof v === "number" ? v : 0; };
  const rule: Rule = { worstGrade: count("worstGrade", "Worst grade", 1, 9), minAprBps: bps("minApr"), maxAprBps: bps("maxApr"),
    maxTerm: count("maxMonths", "Longest term", 1, 120) * MONTH, minCollateralRatioBps: bps("minCollateral"),
    maxPerLoan: units("maxPerLoan").toString(), maxPerBorrower: units("maxPerBorrower").toString(), budget: units("budget").toString(),
    expiry: now + count("days", "Days the rule lasts", 1, 365) * DAY, reinvest: f.reinvest, purposeMask: ALL_PURPOSES,
    maxPdBps: bps("maxPd"), operator: ANYONE };
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
    reinvest: rule.reinvest === true };
}

/** The rule as viem encodes the IAutoLend.Rule tuple. */
export function onChain(r: Rule) {
  return { worstGrade: BigInt(r.worstGrade), minAprBps: r.minAprBps, maxAprBps: r.maxAprBps, maxTerm: BigInt(r.maxTerm),
    minCollateralRatioBps: r.minCollateralRatioBps, maxPerLoan: BigInt(r.maxPerLoan), maxPerBorrower: BigInt(r.maxPerBorrower),
    budget: BigInt(r.budget), expiry: BigInt(r.expiry), reinvest: r.reinvest, purposeMask: BigInt(r.purposeMask),
    maxPdBps: r.maxPdBps, operator: r.operator };
}

/** One sentence saying what the rule lends. */
export function describeRule(r: Rule, token: Token): string {
  const m = (v: string) => formatMoney(v, token);
  return `Lends up to ${m(r.budget)} in total, at most ${m(r.maxPerLoan)} per loan and ${m(r.maxPerBorrower)} per borrower, ` +
    `to grades A+ to ${gradeName(r.worstGrade)} with at most ${formatBps(r.maxPdBps)} chance of default, ` +
    `${formatBps(r.minAprBps)}–${formatBps(r.maxAprBps)} APR, terms up to ${Math.round(r.maxTerm / MONTH)} months` +
    `${Number(r.minCollateralRatioBps) ? `, collateral at least ${formatBps(r.minCollateralRatioBps)} of the loan` : ""}.`;
}
