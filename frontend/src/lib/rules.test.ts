import { describe, expect, it } from "vitest";
import { FORM_FIELD, formOf, invalidRuleMessage, NEW_RULE, parseRule } from "./rules";

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
    for (const field of ["worstGrade", "maxAprBps", "minAprBps", "maxTerm", "minCollateralRatioBps", "maxPerLoan",
      "maxPerBorrower", "budget", "expiry", "purposeMask", "maxPdBps", "token"]) {
      expect(invalidRuleMessage(field)).not.toMatch(/^This value is not accepted/);
      expect(invalidRuleMessage(field)).toContain(`InvalidRule: ${field}`);
      expect(FORM_FIELD[field]).toBeTruthy();
    }
  });

  it("fills the edit form from a commitment's rule", () => {
    const parsed = parseRule(NEW_RULE, USDC, NOW);
    if (!parsed.ok) throw new Error("valid");
    const asApi = Object.fromEntries(Object.entries(parsed.rule).map(([k, v]) => [k, typeof v === "boolean" ? v : String(v)]));
    const again = parseRule({ ...formOf(asApi, USDC, NOW), deposit: "0" }, USDC, NOW);
    expect(again.ok && again.rule).toEqual(parsed.rule);
  });
});
