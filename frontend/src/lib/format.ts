// Money and rates for people, from integers only: amounts are token base units (bigint, or the
// API's decimal strings), rates basis points, health WAD (1e18). No float ever touches an amount.

export type Token = { address: string; symbol: string; decimals: number };

const GROUP = /\B(?=(\d{3})+(?!\d))/g;

/** `value` base units as a decimal string with thousands separators, at most `maxDecimals`
 * fraction digits, rounded toward zero (a display never shows more than is there);
 * trailing zeros trimmed down to `minDecimals`. */
export function formatUnits(value: bigint | string | number, decimals: number,
  { maxDecimals = decimals, minDecimals = 0, group = true } = {}): string {
  const v = BigInt(value);
  const negative = v < 0n;
  const abs = negative ? -v : v;
  const base = 10n ** BigInt(decimals);
  const whole = (abs / base).toString();
  let fraction = decimals > 0 ? (abs % base).toString().padStart(decimals, "0") : "";
  fraction = fraction.slice(0, Math.min(maxDecimals, decimals));
  while (fraction.length > minDecimals && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  const shown = (group ? whole.replace(GROUP, ",") : whole) + (fraction ? "." + fraction : "");
  return (negative ? "-" : "") + shown;
}

/** An amount with its token symbol, two decimals (cents) unless the token has fewer. */
export function formatMoney(value: bigint | string | number, token: Pick<Token, "symbol" | "decimals">,
  maxDecimals = 2): string {
  return `${formatUnits(value, token.decimals, { maxDecimals, minDecimals: Math.min(2, maxDecimals, token.decimals) })} ${token.symbol}`;
}

export type Parsed = { ok: true; value: bigint } | { ok: false; error: string };

/** A typed amount ("1,250.5") into base units; refuses more fraction digits than the token has. */
export function parseUnits(text: string, decimals: number): Parsed {
  const cleaned = text.trim().replace(/,/g, "");
  if (cleaned === "") return { ok: false, error: "Enter an amount." };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) return { ok: false, error: "Enter a number, like 250 or 99.50." };
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    return { ok: false, error: decimals === 0 ? "Whole units only." : `At most ${decimals} digits after the point.` };
  }
  const value = BigInt(match[1] || "0") * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  return { ok: true, value };
}

/** Basis points as a percentage: 1234 -> "12.34%". */
export function formatBps(bps: number | bigint | string, maxDecimals = 2): string {
  return formatUnits(BigInt(bps), 2, { maxDecimals }) + "%";
}

/** A typed percentage ("12.5") into basis points. */
export function parseBps(text: string): Parsed {
  const parsed = parseUnits(text.replace(/%\s*$/, ""), 2);
  return parsed.ok ? parsed : { ok: false, error: parsed.error.replace("amount", "percentage") };
}

export const WAD = 10n ** 18n;

/** A WAD ratio (health) with two decimals: 1.5e18 -> "1.50". */
export function formatWad(wad: bigint | string, maxDecimals = 2): string {
  return formatUnits(BigInt(wad), 18, { maxDecimals, minDecimals: maxDecimals });
}

/** funded / total in basis points, rounded down (never shows 100% before it is full). */
export function ratioBps(part: bigint | string, whole: bigint | string): number {
  const w = BigInt(whole);
  return w === 0n ? 0 : Number((BigInt(part) * 10_000n) / w);
}

const DAY = 86_400;

/** A duration for people: "12 months", "45 days", "3 hours". */
export function formatDuration(seconds: number | bigint | string): string {
  const s = Number(seconds);
  if (s >= 360 * DAY && s % (365 * DAY) === 0) return plural(s / (365 * DAY), "year");
  if (s >= 28 * DAY && s % (30 * DAY) === 0) return plural(s / (30 * DAY), "month");
  if (s >= DAY) return plural(Math.round(s / DAY), "day");
  if (s >= 3600) return plural(Math.round(s / 3600), "hour");
  return plural(Math.max(0, Math.round(s / 60)), "minute");
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

/** Unix seconds (or ISO text) as a date: "3 Dec 2026". */
export function formatDate(when: number | string | bigint | null | undefined): string {
  if (when === null || when === undefined || when === "" || when === 0 || when === 0n) return "—";
  const ms = typeof when === "string" && !/^\d+$/.test(when) ? Date.parse(when) : Number(when) * 1000;
  return new Date(ms).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}
