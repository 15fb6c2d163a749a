import { describe, expect, it } from "vitest";
import { formatBps, formatDuration, formatMoney, formatUnits, formatWad, parseBps, parseUnits, ratioBps } from "./format";

const USDC = { symbol: "mUSDC", decimals: 6 };

describe("formatUnits", () => {
  it("groups thousands and trims trailing zeros", () => {
    expect(formatUnits(1_234_567_890_000n, 6)).toBe("1,234,567.89");
    expect(formatUnits("1000000", 6)).toBe("1");
    expect(formatUnits(0n, 18)).toBe("0");
  });
  it("rounds toward zero, never up", () => {
    expect(formatUnits(1_999_999n, 6, { maxDecimals: 2 })).toBe("1.99");
    expect(formatUnits(-1_999_999n, 6, { maxDecimals: 2 })).toBe("-1.99");
  });
  it("keeps precision far beyond floating point", () => {
    expect(formatUnits(2n ** 96n - 1n, 18, { group: false })).toBe("79228162514.264337593543950335");
  });
  it("pads cents for money", () => {
    expect(formatMoney(1_500_000n, USDC)).toBe("1.50 mUSDC");
    expect(formatMoney("1000000000", USDC, 0)).toBe("1,000 mUSDC");
    expect(formatMoney(5n, USDC, 6)).toBe("0.000005 mUSDC");
  });
});

describe("parseUnits", () => {
  it("reads typed amounts into base units exactly", () => {
    expect(parseUnits("1,250.5", 6)).toEqual({ ok: true, value: 1_250_500_000n });
    expect(parseUnits(".5", 6)).toEqual({ ok: true, value: 500_000n });
    expect(parseUnits("0.1", 18)).toEqual({ ok: true, value: 100_000_000_000_000_000n });
  });
  it("refuses what it cannot represent", () => {
    expect(parseUnits("1.0000001", 6).ok).toBe(false);
    expect(parseUnits("", 6).ok).toBe(false);
    expect(parseUnits("abc", 6).ok).toBe(false);
    expect(parseUnits("-1", 6).ok).toBe(false);
    expect(parseUnits("1e6", 6).ok).toBe(false);
    expect(parseUnits(".", 6).ok).toBe(false);
  });
  it("round-trips with formatUnits", () => {
    for (const v of [0n, 1n, 999_999n, 123_456_789_012n]) {
      const p = parseUnits(formatUnits(v, 6), 6);
      expect(p).toEqual({ ok: true, value: v });
    }
  });
});

describe("rates and ratios", () => {
  it("formats and parses basis points", () => {
    expect(formatBps(1234)).toBe("12.34%");
    expect(formatBps(1200)).toBe("12%");
    expect(formatBps(5)).toBe("0.05%");
    expect(parseBps("12.5%")).toEqual({ ok: true, value: 1250n });
    expect(parseBps("12.345").ok).toBe(false);
  });
  it("funded share rounds down", () => {
    expect(ratioBps("999999", "1000000")).toBe(9999);
    expect(ratioBps("0", "0")).toBe(0);
  });
  it("formats WAD health with two decimals", () => {
    expect(formatWad(1_505_000_000_000_000_000n)).toBe("1.50");
    expect(formatWad(0n)).toBe("0.00");
  });
  it("describes durations", () => {
    expect(formatDuration(360 * 86_400)).toBe("12 months");
    expect(formatDuration(30 * 86_400)).toBe("1 month");
    expect(formatDuration(15 * 86_400)).toBe("15 days");
    expect(formatDuration(365 * 86_400)).toBe("1 year");
  });
});
