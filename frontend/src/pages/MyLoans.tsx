// A borrower's loans (GET /borrowers/{address}/loans) with what is due now (ILoanLens.amountDue,
// read live), repay part or all, collateral top-up / withdraw / release, cancel, and start early.
import { useState, type FormEvent } from "react";
import { api, query } from "../api/client";
import type { LoanSummary, Page } from "../api/types";
import { REFRESH_MS, useAsync, useDeployment, useEvery } from "../lib/hooks";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { approval, call, txCount } from "../chain/tx";
import { formatBps, formatDate, formatMoney, ratioBps } from "../lib/format";
import { statusName } from "../lib/domain";
import { checkAmount } from "../lib/validate";
import { ErrorNote, Field, FundingBar, GradeBadge, Health, Loading, Money, Notice } from "../components/ui";
import { TxPanel, type Plan } from "../components/TxPanel";

type Due = { lateFees: bigint; interest: bigint; toBeCurrent: bigint; payoff: bigint; nextDueDate: bigint };
type State = { late: boolean; secondsUntilDefault: bigint; healthWad: bigint; liquidationPriceWad: bigint; priceUsable: boolean; collateralAmount: bigint };

export function MyLoans() {
  const w = useStore(wallet);
  const address = w.kind === "none" ? null : w.address;
  const loans = useAsync(() => address ? api<Page<LoanSummary>>(`/borrowers/${address}/loans${query({ per_page: 100 })}`) : Promise.resolve(null), [address]);
  useEvery(REFRESH_MS, loans.reload);
  if (!address) return <><h1>My loans</h1><p>Connect a wallet (top of the page) to see your loans.</p></>;
  if (!loans.data) return <><h1>My loans</h1>{loans.error ? <ErrorNote error={loans.error} /> : <Loading what="Loading your loans" />}</>;
  return <>
    <h1>My loans</h1>
    {loans.data.items.length === 0 ? <p>You have no loans yet. <a href="#/borrow">Ask for one</a>.</p>
      : loans.data.items.map((l) => <BorrowerLoan key={l.id} loan={l} onChange={loans.reload} />)}
  </>;
}

function BorrowerLoan({ loan: l, onChange }: { loan: LoanSummary; onChange: () => void }) {
  const d = useDeployment();
  const w = useStore(wallet);
  const t = l.token;
  const [plan, setPlan] = useState<(() => Promise<Plan>) | null>(null);
  const ticks = useStore(txCount);
  const [repay, setRepay] = useState("");
  const [coll, setColl] = useState("");
  const [error, setError] = useState<string | null>(null);
  const owing = l.status === "active" || l.status === "defaulted";
  const live = useAsync(async () => {
    const lens = { address: d.address("LoanLens"), abi: d.abi("LoanLens") };
    const [due, states, minFill] = await Promise.all([
      owing ? d.client.readContract({ ...lens, functionName: "amountDue", args: [BigInt(l.id)] }) as Promise<Due> : null,
      d.client.readContract({ ...lens, functionName: "loanStates", args: [[BigInt(l.id)]] }) as Promise<State[]>,
      d.client.readContract({ ...lens, functionName: "loan", args: [BigInt(l.id)] }) as Promise<{ minFillBps: number }>,
    ]);
    return { due, state: states[0], minFillBps: Number(minFill.minFillBps) };
  }, [l.id, l.status, l.funded, l.outstanding, ticks]);
  const collToken = l.collateral?.token;
  const hasCollateral = !!live.data && live.data.state.collateralAmount > 0n;
  const m = (v: bigint) => formatMoney(v, t);
  const done = () => [0, 2000, 5000].forEach((ms) => setTimeout(onChange, ms));

  function doRepay(amount: bigint, full: boolean) {
    if (w.kind === "none") return;
    setPlan(() => async () => ({ title: full ? `Pay off loan #${l.id}` : `Repay ${m(amount)} on loan #${l.id}`,
      summary: ["A payment covers late fees first, then interest, then principal. Only what is owed is taken."],
      steps: [...await approval(d, w.address, t, "LoanBook", amount, m),
        { label: `Pay ${m(amount)} toward loan #${l.id}`, call: call(d, "LoanBook", "repay", [BigInt(l.id), amount]) }] }));
  }
  function submitRepay(e: FormEvent) {
    e.preventDefault();
    const c = checkAmount(repay, t, live.data?.due?.payoff, "the payoff amount");
    if (!c.ok) { setError(c.error); return; }
    setError(null); doRepay(c.value, false);
  }
  function collateralAction(kind: "topUp" | "withdraw") {
    if (!collToken || w.kind === "none") return;
    const c = checkAmount(coll, collToken, kind === "withdraw" ? live.data?.state.collateralAmount : undefined, "the collateral held");
    if (!c.ok) { setError(c.error); return; }
    setError(null);
    const amount = c.value;
    const cm = (v: bigint) => formatMoney(v, collToken, 6);
    setPlan(() => async () => kind === "topUp"
      ? { title: `Add ${cm(amount)} collateral`, summary: ["More collateral raises the loan's health and lowers its liquidation price."],
        steps: [...await approval(d, w.address, collToken, "CollateralVault", amount, cm),
          { label: `Add ${cm(amount)} to loan #${l.id}'s collateral`, call: call(d, "CollateralVault", "topUp", [BigInt(l.id), amount]) }] }
      : { title: `Withdraw ${cm(amount)} collateral`, summary: ["Allowed only while the collateral left stays above what the loan requires."],
        steps: [{ label: `Withdraw ${cm(amount)} from loan #${l.id}'s collateral`, call: call(d, "CollateralVault", "withdraw", [BigInt(l.id), amount]) }] });
  }
  const simple = (title: string, label: string, fn: string, contract = "LoanBook") =>
    setPlan(() => async () => ({ title, steps: [{ label, call: call(d, contract, fn, [BigInt(l.id)]) }] }));

  const s = live.data?.state;
  const fundedBps = ratioBps(l.funded, l.principal);
  return <section className="card" aria-label={`Loan ${l.id}`} data-loan-id={l.id}>
    <h2><a href={`#/loans/${l.id}`}>Loan #{l.id}</a> <GradeBadge grade={l.grade} /> <small className="muted">{statusName(l.status)}</small></h2>
    <p><Money value={l.principal} token={t} /> at {formatBps(l.apr_bps)} over {l.instalments} instalments.</p>
    {s?.late && <Notice kind="error">You are late on a payment. Pay at least the amount to be current to avoid more fees and default.</Notice>}
    {s && hasCollateral && s.priceUsable && s.healthWad < (12n * 10n ** 17n) && owing && <Notice kind="warn">Your collateral is close to liquidation: add collateral or repay.</Notice>}
    <ErrorNote error={live.error} />
    {!live.data && !live.error && <Loading what="Reading the loan from the chain" />}
    {l.status === "listed" && <>
      <FundingBar funded={l.funded} principal={l.principal} token={t} />
      <p className="muted">Funding closes {formatDate(l.funding_deadline)}. {live.data && `You may start early once ${formatBps(live.data.minFillBps, 0)} is funded.`}</p>
      <div className="actions">
        {live.data && fundedBps >= live.data.minFillBps && <button onClick={() => simple(`Start loan #${l.id} now`, `Start loan #${l.id} with the ${m(BigInt(l.funded))} raised (the schedule is computed on that amount)`, "start")}>Start now with {m(BigInt(l.funded))}</button>}
        <button onClick={() => simple(`Cancel loan #${l.id}`, `Cancel loan #${l.id}; lenders take their funding back and your collateral is released`, "cancel")}>Cancel listing</button>
      </div>
    </>}
    {owing && live.data?.due && <>
      <dl className="facts">
        <dt>To be current now</dt><dd>{m(live.data.due.toBeCurrent)}{live.data.due.lateFees > 0n && <> (includes {m(live.data.due.lateFees)} late fees)</>}</dd>
        <dt>Pay off in full</dt><dd>{m(live.data.due.payoff)}</dd>
        <dt>Next due date</dt><dd>{formatDate(live.data.due.nextDueDate)}</dd>
      </dl>
      <form onSubmit={submitRepay} noValidate className="inline-form">
        <Field label={`Repay an amount (${t.symbol})`} error={error}>{(p) => <input {...p} inputMode="decimal" value={repay} onChange={(e) => setRepay(e.target.value)} />}</Field>
        <div className="actions"><button type="submit">Repay this amount</button>
          {live.data.due.toBeCurrent > 0n && <button type="button" onClick={() => doRepay(live.data!.due!.toBeCurrent, false)}>Pay {m(live.data.due.toBeCurrent)} (be current)</button>}
          <button type="button" className="primary" onClick={() => doRepay(live.data!.due!.payoff, true)}>Pay off {m(live.data.due.payoff)}</button></div>
      </form>
    </>}
    {collToken && hasCollateral && s && <>
      <h3>Collateral</h3>
      <p><Money value={s.collateralAmount} token={collToken} decimals={6} /> · <Health wad={s.healthWad} usable={s.priceUsable} /></p>
      {(owing || l.status === "listed") && <div className="inline-form">
        <Field label={`Collateral amount (${collToken.symbol})`}>{(p) => <input {...p} inputMode="decimal" value={coll} onChange={(e) => setColl(e.target.value)} />}</Field>
        <div className="actions"><button onClick={() => collateralAction("topUp")}>Add collateral</button>
          {owing && <button onClick={() => collateralAction("withdraw")}>Withdraw collateral</button>}</div>
      </div>}
      {["repaid", "cancelled", "expired", "closed"].includes(l.status) &&
        <button className="primary" onClick={() => simple("Release your collateral", `Return all of loan #${l.id}'s remaining collateral to your wallet`, "release", "CollateralVault")}>Release collateral</button>}
    </>}
    {plan && <TxPanel build={plan} onClose={() => setPlan(null)} onDone={done} ctx={{ amount: m }} />}
  </section>;
}
