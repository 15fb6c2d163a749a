// Form checks that run before anything is sent; each returns the first problem in words, or null.
import { formatMoney, parseBps, parseUnits, type Token } from "./format";

export type Check<T> = { ok: true; value: T } | { ok: false; error: string };

/** A funding amount: at least the minimum ticket (unless it completes the loan), at most what is left and what you hold. */
export function checkFunding(text: string, t: Token, o: { minimum: bigint; remaining: bigint; balance?: bigint }): Check<bigint> {
  const p = parseUnits(text, t.decimals);
  if (!p.ok) return p;
  const v = p.value;
  if (v <= 0n) return { ok: false, error: "Enter more than zero." };
  if (o.remaining <= 0n) return { ok: false, error: "This loan is fully funded." };
  if (v > o.remaining) return { ok: false, error: `Only ${formatMoney(o.remaining, t)} is still needed.` };
  if (v < o.minimum && v !== o.remaining) return { ok: false, error: `The smallest amount is ${formatMoney(o.minimum, t)} (or exactly the ${formatMoney(o.remaining, t)} left).` };
  if (o.balance !== undefined && v > o.balance) return { ok: false, error: `You have only ${formatMoney(o.balance, t)}.` };
  return { ok: true, value: v };
}

/** A positive amount up to a maximum (repay, top up, withdraw, deposit). */
export function checkAmount(text: string, t: Token, max?: bigint, maxWhy = "the most you can use here"): Check<bigint> {
  const p = parseUnits(text, t.decimals);
  if (!p.ok) return p;
  if (p.value <= 0n) return { ok: false, error: "Enter more than zero." };
  if (max !== undefined && p.value > max) return { ok: false, error: `At most ${formatMoney(max, t, t.decimals)} (${maxWhy}).` };
  return { ok: true, value: p.value };
}

/** An APR in percent, within 0.01% and the grade's maximum. */
export function checkApr(text: string, maxBps: number): Check<number> {
  const p = parseBps(text);
  if (!p.ok) return p;
  if (p.value <= 0n) return { ok: false, error: "The rate must be above 0%." };
  if (p.value > BigInt(maxBps)) return { ok: false, error: `Your grade allows at most ${Number(maxBps) / 100}%.` };
  return { ok: true, value: Number(p.value) };
}

export function checkWhole(text: string, label: string, min: number, max: number): Check<number> {
  if (!/^\s*\d+\s*$/.test(text)) return { ok: false, error: `${label}: a whole number.` };
  const v = Number(text);
  if (v < min || v > max) return { ok: false, error: `${label}: between ${min} and ${max}.` };
  return { ok: true, value: v };
}

/** The first problem among several checks, or the values. */
export function firstError(...checks: Check<unknown>[]): string | null {
  for (const c of checks) if (!c.ok) return c.error;
  return null;
}
