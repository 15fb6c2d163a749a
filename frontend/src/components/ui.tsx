// Shared display pieces: money, grades, funding and health, notices, labelled fields.
import { useId, type ReactNode } from "react";
import { formatBps, formatMoney, formatWad, ratioBps, WAD, type Token } from "../lib/format";
import { gradeCode, gradeHint, gradeName } from "../lib/domain";
import { ApiError } from "../api/client";

export function Money({ value, token, decimals }: { value: bigint | string | null | undefined; token: Token; decimals?: number }) {
  if (value === null || value === undefined) return <span>—</span>;
  return <span className="money">{formatMoney(value, token, decimals)}</span>;
}

export function GradeBadge({ grade }: { grade: number | string }) {
  const code = gradeCode(grade);
  return <span className={`grade grade-${Math.min(5, Math.ceil(code / 2))}`} title={`Grade ${gradeName(grade)}: ${gradeHint(grade)}`}>
    {gradeName(grade)}</span>;
}

export function FundingBar({ funded, principal, token }: { funded: string; principal: string; token: Token }) {
  const bps = ratioBps(funded, principal);
  return <div className="funding">
    <div className="bar" role="progressbar" aria-label="Funded so far" aria-valuemin={0} aria-valuemax={100}
      aria-valuenow={Math.floor(bps / 100)} aria-valuetext={`${formatBps(bps, 0)} funded`}>
      <span style={{ width: `${Math.min(100, bps / 100)}%` }} />
    </div>
    <small><Money value={funded} token={token} /> of <Money value={principal} token={token} /> ({formatBps(bps, 0)})</small>
  </div>;
}

/** Health = collateral value × liquidation threshold ÷ debt; below 1.00 the collateral can be sold. */
export function Health({ wad, usable = true }: { wad: string | bigint | null | undefined; usable?: boolean }) {
  if (wad === null || wad === undefined) return <span className="pill">No collateral</span>;
  const w = BigInt(wad);
  if (!usable) return <span className="pill warn">Price unavailable</span>;
  if (w >= 2n ** 255n) return <span className="pill ok">No debt</span>;
  const level = w < WAD ? "bad" : w < (WAD * 12n) / 10n ? "warn" : "ok";
  const words = level === "bad" ? "can be liquidated" : level === "warn" ? "close to liquidation" : "healthy";
  return <span className={`pill ${level}`}>Health {formatWad(w)} — {words}</span>;
}

export function Notice({ kind = "info", children }: { kind?: "info" | "error" | "ok" | "warn"; children: ReactNode }) {
  return <div className={`notice ${kind}`} role={kind === "error" ? "alert" : "status"}>{children}</div>;
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return <Notice kind="error">{message}</Notice>;
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return <p className="muted" aria-live="polite" data-loading="">{what}…</p>;
}

export function Field({ label, hint, error, children }: { label: string; hint?: ReactNode; error?: string | null;
  children: (props: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => ReactNode }) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return <div className="field">
    <label htmlFor={id}>{label}</label>
    {children({ id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
    {hint && <small id={`${id}-hint`} className="muted">{hint}</small>}
    {error && <small id={`${id}-error`} className="field-error">{error}</small>}
  </div>;
}

export function Badge({ children, kind = "" }: { children: ReactNode; kind?: string }) {
  return <span className={`pill ${kind}`}>{children}</span>;
}
