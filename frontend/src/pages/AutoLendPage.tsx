// Auto-lend rules: an on-chain commitment holds the lender's deposit and a rule the AutoLend
// contract enforces on every funding, whoever calls it; the platform's bot only looks for matches.
import { useState, type FormEvent } from "react";
import { zeroAddress } from "viem";
import { api, query } from "../api/client";
import type { LoanSummary, Page } from "../api/types";
import { useAsync, useDeployment } from "../lib/hooks";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { approval, call, notesApproval } from "../chain/tx";
import { loanTokenAddress, tokenInfo } from "../chain/tokens";
import { formatBps, formatDate, formatMoney, parseBps, parseUnits } from "../lib/format";
import { GRADES, gradeName } from "../lib/domain";
import { checkWhole } from "../lib/validate";
import { ErrorNote, Field, Loading, Notice } from "../components/ui";
import { TxPanel, type Plan } from "../components/TxPanel";

type Commitment = { lender: string; expiry: number; worstGrade: number; reinvest: boolean; minCollateralRatioBps: number; maxPdBps: number;
  token: string; minAprBps: number; maxAprBps: number; maxTerm: number; purposeMask: number; available: bigint; budget: bigint;
  maxPerLoan: bigint; maxPerBorrower: bigint; operator: string };
const DAY = 86_400;

export function AutoLendPage() {
  const d = useDeployment();
  const w = useStore(wallet);
  const address = w.kind === "none" ? null : w.address;
  const [plan, setPlan] = useState<(() => Promise<Plan>) | null>(null);
  const [f, setF] = useState({ deposit: "500", worstGrade: "4", minApr: "8", maxApr: "30", maxMonths: "24", minCollateral: "0",
    maxPerLoan: "100", maxPerBorrower: "200", budget: "1000", days: "30", maxPd: "20", reinvest: false });
  const [errors, setErrors] = useState<string | null>(null);
  const token = useAsync(() => tokenInfo(d, loanTokenAddress(d)!), []);
  const mine = useAsync(async () => {
    if (!address) return [];
    const al = { address: d.address("AutoLend"), abi: d.abi("AutoLend") };
    const count = Number(await d.client.readContract({ ...al, functionName: "commitmentCount" }) as bigint);
    const ids = Array.from({ length: Math.min(count, 500) }, (_, i) => count - i).filter((i) => i > 0);
    const all = await Promise.all(ids.map((id) => d.client.readContract({ ...al, functionName: "commitment", args: [BigInt(id)] })
      .then((c) => ({ id, c: c as Commitment }), () => null)));
    return all.filter((x): x is { id: number; c: Commitment } => !!x && x.c.lender.toLowerCase() === address.toLowerCase());
  }, [address, plan]);
  const t = token.data;
  const matches = useAsync(async () => {
    const r = rule();
    if (!r) return null;
    return api<Page<LoanSummary>>(`/loans${query({ status: "listed", grade: GRADES.slice(0, r.worstGrade).map((_, i) => i + 1).join(","),
      min_apr_bps: r.minAprBps, max_apr_bps: r.maxAprBps, max_term_days: r.maxTermDays, min_collateral_ratio_bps: r.minCollateralRatioBps || undefined, per_page: 1 })}`);
  }, [JSON.stringify(f), !!t]);

  function rule() {
    if (!t) return null;
    const g = checkWhole(f.worstGrade, "Worst grade", 1, 9), minA = parseBps(f.minApr), maxA = parseBps(f.maxApr), months = checkWhole(f.maxMonths, "Longest term", 1, 120);
    const coll = parseBps(f.minCollateral || "0"), pd = parseBps(f.maxPd), per = parseUnits(f.maxPerLoan, t.decimals), perB = parseUnits(f.maxPerBorrower, t.decimals);
    const budget = parseUnits(f.budget, t.decimals), dep = parseUnits(f.deposit, t.decimals), days = checkWhole(f.days, "Days the rule lasts", 1, 365);
    for (const c of [g, minA, maxA, months, coll, pd, per, perB, budget, dep, days]) if (!c.ok) { return { error: c.error } as never; }
    if (!(g.ok && minA.ok && maxA.ok && months.ok && coll.ok && pd.ok && per.ok && perB.ok && budget.ok && dep.ok && days.ok)) return null;
    return { worstGrade: g.value, minAprBps: minA.value, maxAprBps: maxA.value, maxTermDays: months.value * 30, minCollateralRatioBps: coll.value,
      maxPdBps: pd.value, maxPerLoan: per.value, maxPerBorrower: perB.value, budget: budget.value, deposit: dep.value, days: days.value };
  }

  function create(e: FormEvent) {
    e.preventDefault();
    const r = rule() as ReturnType<typeof rule> & { error?: string };
    if (!r || !t || w.kind === "none") return;
    if (r.error) { setErrors(r.error); return; }
    if (r.minAprBps > r.maxAprBps) { setErrors("The lowest rate is above the highest."); return; }
    if (r.maxPdBps > 10_000n) { setErrors("The chance of default is at most 100%."); return; }
    if (r.deposit <= 0n) { setErrors("Deposit more than zero."); return; }
    setErrors(null);
    const m = (v: bigint) => formatMoney(v, t);
    setPlan(() => async () => {
      const block = await d.client.getBlock();
      const onChain = { worstGrade: BigInt(r.worstGrade), minAprBps: r.minAprBps, maxAprBps: r.maxAprBps, maxTerm: BigInt(r.maxTermDays * DAY),
        minCollateralRatioBps: r.minCollateralRatioBps, maxPerLoan: r.maxPerLoan, maxPerBorrower: r.maxPerBorrower, budget: r.budget,
        expiry: block.timestamp + BigInt(r.days * DAY), reinvest: f.reinvest, purposeMask: 2n ** 32n - 1n, maxPdBps: r.maxPdBps, operator: zeroAddress };
      return { title: `Create an auto-lend rule with ${m(r.deposit)}`,
        summary: [`Lends up to ${m(r.budget)} in total, at most ${m(r.maxPerLoan)} per loan and ${m(r.maxPerBorrower)} per borrower, to grades A+ to ${gradeName(r.worstGrade)}, ${formatBps(r.minAprBps)}–${formatBps(r.maxAprBps)} APR, terms up to ${r.maxTermDays / 30} months, for ${r.days} days.`,
          "You can withdraw the unlent part at any time."],
        steps: [...await approval(d, w.address, t, "AutoLend", r.deposit, m),
          ...(f.reinvest ? await notesApproval(d, w.address, "AutoLend") : []),
          { label: `Deposit ${m(r.deposit)} into a new auto-lend rule`, call: call(d, "AutoLend", "createCommitment", [t.address, onChain, r.deposit]) }] };
    });
  }
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  if (!address) return <><h1>Auto-lend</h1><p>Connect a wallet (top of the page) to set up automatic lending.</p></>;
  if (!t) return <><h1>Auto-lend</h1>{token.error ? <ErrorNote error={token.error} /> : <Loading />}</>;
  const m = (v: bigint) => formatMoney(v, t);
  return <>
    <h1>Auto-lend</h1>
    <p className="lead">Deposit money with a rule; matching loans are funded for you. <strong>The contract itself enforces</strong> grade, interest-rate range,
      longest term, collateral ratio, per-loan and per-borrower limits, total budget, expiry, purposes, maximum chance of default and who may
      fund from it — no bot or person can lend your deposit outside these. <strong>Only the platform's bot</strong> decides which of the matching loans to fund
      and when (it may miss some); it cannot break the rule.</p>
    <form className="card" onSubmit={create} noValidate aria-label="New auto-lend rule">
      <div className="grid-form">
        <Field label={`Deposit (${t.symbol})`}>{(p) => <input {...p} inputMode="decimal" value={f.deposit} onChange={set("deposit")} />}</Field>
        <Field label="Worst grade accepted">{(p) => <select {...p} value={f.worstGrade} onChange={set("worstGrade")}>{GRADES.map((g, i) => <option key={g} value={i + 1}>{g}</option>)}</select>}</Field>
        <Field label="Lowest rate (APR %)">{(p) => <input {...p} inputMode="decimal" value={f.minApr} onChange={set("minApr")} />}</Field>
        <Field label="Highest rate (APR %)">{(p) => <input {...p} inputMode="decimal" value={f.maxApr} onChange={set("maxApr")} />}</Field>
        <Field label="Longest term (months)">{(p) => <input {...p} inputMode="numeric" value={f.maxMonths} onChange={set("maxMonths")} />}</Field>
        <Field label="Minimum collateral (% of loan)">{(p) => <input {...p} inputMode="decimal" value={f.minCollateral} onChange={set("minCollateral")} />}</Field>
        <Field label="Highest chance of default (%)">{(p) => <input {...p} inputMode="decimal" value={f.maxPd} onChange={set("maxPd")} />}</Field>
        <Field label={`Most per loan (${t.symbol})`}>{(p) => <input {...p} inputMode="decimal" value={f.maxPerLoan} onChange={set("maxPerLoan")} />}</Field>
        <Field label={`Most per borrower (${t.symbol})`}>{(p) => <input {...p} inputMode="decimal" value={f.maxPerBorrower} onChange={set("maxPerBorrower")} />}</Field>
        <Field label={`Total budget (${t.symbol})`}>{(p) => <input {...p} inputMode="decimal" value={f.budget} onChange={set("budget")} />}</Field>
        <Field label="Rule lasts (days)">{(p) => <input {...p} inputMode="numeric" value={f.days} onChange={set("days")} />}</Field>
      </div>
      <label className="inline"><input type="checkbox" checked={f.reinvest} onChange={(e) => setF({ ...f, reinvest: e.target.checked })} /> Reinvest repayments (lets the auto-lend contract claim your repayments back into this rule)</label>
      <p aria-live="polite">{matches.data ? <>Preview: <strong>{matches.data.total}</strong> loan{matches.data.total === 1 ? "" : "s"} listed right now match{matches.data.total === 1 ? "es" : ""} the grade, rate, term and collateral filters.</> : null}
        <span className="muted"> (A preview of today's listings, not a backtest of past results.)</span></p>
      {errors && <p className="field-error" role="alert">{errors}</p>}
      <button className="primary" type="submit">Review rule</button>
    </form>
    {plan && <TxPanel build={plan} onClose={() => setPlan(null)} ctx={{ amount: m }} />}
    <h2>Your rules</h2>
    {mine.error ? <ErrorNote error={mine.error} /> : !mine.data ? <Loading /> : mine.data.length === 0 ? <p>No rules yet.</p> :
      mine.data.map(({ id, c }) => <section className="card" key={id} aria-label={`Rule ${id}`}>
        <h3>Rule #{id} {Number(c.expiry) * 1000 < Date.now() && <Notice kind="warn">Expired</Notice>}</h3>
        <p>Holds {m(c.available)}; may still lend {m(c.budget)}. Grades A+–{gradeName(c.worstGrade)}, {formatBps(c.minAprBps)}–{formatBps(c.maxAprBps)} APR,
          up to {m(c.maxPerLoan)} per loan; until {formatDate(c.expiry)}. {c.reinvest ? "Reinvests repayments." : ""}</p>
        <div className="actions">
          <button disabled={c.available === 0n} onClick={() => setPlan(() => async () => ({ title: `Withdraw ${m(c.available)} from rule #${id}`,
            steps: [{ label: `Withdraw the unlent ${m(c.available)} to your wallet`, call: call(d, "AutoLend", "withdraw", [BigInt(id), c.available]) }] }))}>Withdraw unlent funds</button>
          <button onClick={() => setPlan(() => async () => ({ title: `Close rule #${id}`,
            steps: [{ label: `Close rule #${id} and return its ${m(c.available)}`, call: call(d, "AutoLend", "close", [BigInt(id)]) }] }))}>Close rule</button>
        </div>
      </section>)}
  </>;
}
