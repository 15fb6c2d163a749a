import { describe, expect, it } from "vitest";
import { acceptsPurpose, ALL_PURPOSES, ANYONE, describeRule, filtersForm, FORM_FIELD, formOf, invalidRuleMessage, NEW_RULE,
  parseFilters, parseRule, refusalWords, warningText, withPurpose } from "./rules";

const USDC = { address: "0x" + "11".repeat(20), symbol: "mUSDC", decimals: 6 };
const NOW = 1_800_000_000;

describe("auto-lend rules", () => {
  it("turns the form into the contract's rule, amounts in base units", () => {
    const parsed = parseRule({ ...NEW_RULE, maxPerLoan: "100.5", reinvest: true }, USDC, NOW);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rule).toMatchObject({ worstGrade: 4, minAprBps: 800, maxAprBps: 3000, maxTerm: 24 * 30 * 86_400,
      maxPerLoan: "100500000", budget: "1000000000", expiry: NOW + 30 * 86_400, reinvest: true, maxPdBps: 2000 });
    expect(parsed.deposit).toBe(500_000_000n);
  });

  it("names every field the browser can refuse by itself", () => {
    const parsed = parseRule({ ...NEW_RULE, minApr: "abc", maxPerLoan: "1.0000001", days: "0" }, USDC, NOW);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(["days", "maxPerLoan", "minApr"]);
  });

  it("says each InvalidRule field in words and shows it on an input", () => {
    // backend/rules/validate.py: the token check of createCommitment, then AutoLend._setRule's checks
    for (const field of ["token", "worstGrade", "maxAprBps", "minAprBps", "maxTerm", "minCollateralRatioBps", "maxPerLoan",
      "maxPerBorrower", "budget", "expiry", "purposeMask", "maxPdBps"]) {
      expect(invalidRuleMessage(field)).not.toMatch(/^This value is not accepted/);
      expect(invalidRuleMessage(field)).toContain(`InvalidRule: ${field}`);
      expect(FORM_FIELD[field]).toBeTruthy();
    }
  });

  it("fills the edit form from a commitment's rule, keeping its purposes and operator", () => {
    const operator = "0x" + "ab".repeat(20);
    const parsed = parseRule({ ...NEW_RULE, purposes: 0b101, operator }, USDC, NOW);
    if (!parsed.ok) throw new Error("valid");
    const asApi = Object.fromEntries(Object.entries(parsed.rule).map(([k, v]) => [k, typeof v === "boolean" ? v : String(v)]));
    const again = parseRule({ ...formOf(asApi, USDC, NOW), deposit: "0" }, USDC, NOW);
    expect(again.ok && again.rule).toEqual(parsed.rule);
  });

  it("accepts purposes one by one, 'Other' standing for every unnamed code", () => {
    let mask = withPurpose(ALL_PURPOSES, 0, false);
    expect(mask).toBe(ALL_PURPOSES - 1);
    expect(acceptsPurpose(mask, 0)).toBe(false);
    expect(acceptsPurpose(mask, 4)).toBe(true);
    mask = withPurpose(mask, 9, false);  // Other: codes 9..31
    expect(mask).toBe(0b1_1111_1110);
    expect(withPurpose(0, 9, true)).toBe(ALL_PURPOSES - 0b1_1111_1111);
    expect(acceptsPurpose(2 ** 20, 9)).toBe(true);
    const none = parseRule({ ...NEW_RULE, purposes: 0 }, USDC, NOW);
    expect(!none.ok && none.errors.purposes).toBe("Accept at least one loan purpose.");
    const some = parseRule({ ...NEW_RULE, purposes: 0b10001 }, USDC, NOW);
    expect(some.ok && describeRule(some.rule, USDC)).toContain(", only for debt consolidation, vehicle.");
    const most = parseRule({ ...NEW_RULE, purposes: withPurpose(ALL_PURPOSES, 3, false) }, USDC, NOW);
    expect(most.ok && describeRule(most.rule, USDC)).toContain(", for any purpose but education.");
  });

  it("takes an operator address or nobody (anyone may fund)", () => {
    const anyone = parseRule(NEW_RULE, USDC, NOW);
    expect(anyone.ok && anyone.rule.operator).toBe(ANYONE);
    const bad = parseRule({ ...NEW_RULE, operator: "0x1234" }, USDC, NOW);
    expect(!bad.ok && Object.keys(bad.errors)).toEqual(["operator"]);
  });

  it("says the API's warnings in words", () => {
    expect(warningText({ code: "budget_above_deposit", message: "the budget 1000000000 is above the deposit 5" }))
      .toMatch(/^The budget is above the deposit/);
    expect(warningText({ code: "funds_nothing", message: "maxPerLoan is 0" })).toMatch(/would fund nothing/);
  });

  it("says why the backtest left listings out", () => {
    expect(refusalWords("GradeOutsideRule")).toBe("grade below the worst accepted");
    expect(refusalWords("limits reached")).toBe("budget or per-borrower limit already used");
    expect(refusalWords("filter: paused by the lender")).toBe("paused by the lender");
  });

  it("checks the bot-only filters as the API does", () => {
    const saved = { blocked_borrowers: ["0x" + "12".repeat(20)], max_loans_per_day: 3, min_score: null, paused: false };
    const same = parseFilters(filtersForm(saved), true);
    expect(same.ok && same.filters).toEqual({ ...saved, paused: true });
    const bad = parseFilters({ blocked: "0x12, bob", perDay: "0", minScore: "101" }, false);
    expect(!bad.ok && Object.keys(bad.errors).sort()).toEqual(["blocked", "minScore", "perDay"]);
    expect(!bad.ok && bad.errors.blocked).toBe('"0x12" is not an address (0x and 40 hexadecimal digits).');
  });
});
