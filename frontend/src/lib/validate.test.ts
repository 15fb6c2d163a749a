import { describe, expect, it } from "vitest";
import { checkAmount, checkApr, checkFunding, checkWhole } from "./validate";
import { healthWad, liquidationPriceWad, requiredCollateral, valueWad } from "./collateral";

const T = { address: "0x0", symbol: "mUSDC", decimals: 6 };
const U = 1_000_000n;

describe("checkFunding", () => {
  const limits = { minimum: 1n * U, remaining: 500n * U, balance: 10_000n * U };
  it("accepts an amount between the minimum ticket and what is left", () => {
    expect(checkFunding("100", T, limits)).toEqual({ ok: true, value: 100n * U });
  });
  it("refuses below the minimum ticket unless it completes the loan", () => {
    expect(checkFunding("0.5", T, limits).ok).toBe(false);
    expect(checkFunding("0.5", T, { ...limits, remaining: U / 2n })).toEqual({ ok: true, value: U / 2n });
  });
  it("refuses more than is left, more than the balance, zero and junk", () => {
    expect(checkFunding("501", T, limits)).toMatchObject({ ok: false, error: expect.stringContaining("500.00 mUSDC") });
    expect(checkFunding("200", T, { ...limits, balance: 100n * U })).toMatchObject({ ok: false, error: expect.stringContaining("only") });
    expect(checkFunding("0", T, limits).ok).toBe(false);
    expect(checkFunding("ten", T, limits).ok).toBe(false);
  });
});

describe("listing checks", () => {
  it("keeps the APR within the grade's policy", () => {
    expect(checkApr("12", 2_200)).toEqual({ ok: true, value: 1_200 });
    expect(checkApr("22.01", 2_200)).toMatchObject({ ok: false, error: expect.stringContaining("22%") });
    expect(checkApr("0", 2_200).ok).toBe(false);
  });
  it("checks whole numbers and amounts", () => {
    expect(checkWhole("12", "Months", 1, 120)).toEqual({ ok: true, value: 12 });
    expect(checkWhole("1.5", "Months", 1, 120).ok).toBe(false);
    expect(checkWhole("0", "Months", 1, 120).ok).toBe(false);
    expect(checkAmount("20001", T, 20_000n * U).ok).toBe(false);
  });
});

describe("collateral previews (HealthMath)", () => {
  const WAD = 10n ** 18n;
  const price = 3_000n * WAD; // USD per mWETH
  it("values collateral and finds the required amount", () => {
    expect(valueWad(10n ** 18n, price, 18)).toBe(3_000n * WAD);
    const need = requiredCollateral(1_000n * WAD, 5_000n, price, 18);
    expect(valueWad(need, price, 18) >= 500n * WAD).toBe(true);
    expect(valueWad(need - 1n, price, 18) < 500n * WAD).toBe(true);
  });
  it("health and liquidation price agree: at the liquidation price health is 1", () => {
    const amount = 10n ** 18n, debt = 1_000n * WAD;
    const liq = liquidationPriceWad(debt, 10_000n, 8_000n, 18, amount)!;
    expect(liq).toBe(800n * WAD);
    const h = healthWad(valueWad(amount, liq, 18), debt, 10_000n, 8_000n)!;
    expect(h).toBe(WAD);
    expect(healthWad(1n, 0n, 10_000n, 8_000n)).toBeNull();
  });
});
