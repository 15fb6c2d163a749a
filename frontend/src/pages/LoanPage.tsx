// Loan detail (GET /loans/{id}): risk first (grade, PD, reasons, verified signals, collateral
// health, what happens if late), then terms, funding, schedule, and the fund form.
import { useState, type FormEvent } from "react";
import { erc20Abi } from "viem";
import { api } from "../api/client";
import type { BorrowerChecks, LoanDetail } from "../api/types";
import { useAsync, useDeployment } from "../lib/hooks";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { approval, call } from "../chain/tx";
import { formatBps, formatDate, formatDuration, formatMoney, formatWad, shortAddress } from "../lib/format";
import { gradeHint, gradeName, LOAN_SIGNALS, purposeName, reasonState, signalName, statusName } from "../lib/domain";
import { isListed, remaining, termSeconds } from "../lib/loan";
import { checkFunding } from "../lib/validate";
import { Badge, ErrorNote, Field, FundingBar, GradeBadge, Health, Loading, Money, Notice } from "../components/ui";
import { TxPanel } from "../components/TxPanel";

export function LoanPage({ id }: { id: number }) {
  const loan = useAsync(() => api<LoanDetail>(`/loans/${id}`), [id]);
  const checks = useAsync(() => api<BorrowerChecks>(`/loans/${id}/borrower`), [id]);
  const l = loan.data;
  if (!l) return loan.error ? <><h1>Loan #{id}</h1><ErrorNote error={loan.error} /></> : <Loading what="Loading the loan" />;
  const t = l.token;
  const owing = l.status === "active" || l.status === "defaulted";

  return <>
    <h1>Loan #{l.id} <small className="muted">{statusName(l.status)}{l.late ? " — late" : ""}</small></h1>
    {!l.live && <Notice kind="warn">The blockchain node cannot be reached: amounts due and health may be out of date.</Notice>}
    <section className="cards" aria-label="Risk">
      <div className="card"><h2>Risk</h2>
        <p><GradeBadge grade={l.grade} /> Grade {gradeName(l.grade)}: {gradeHint(l.grade)}.</p>
        <p>Predicted chance this borrower does not repay (PD): <strong>{formatBps(l.pd_bps)}</strong>.
          About {Math.max(1, Math.round(l.pd_bps / 100))} in 100 similar loans are expected to default.</p>
        <p aria-label="Verified by the platform">
          <Badge kind="ok">✓ Score signed by the platform's scoring service</Badge>
          {checks.data?.checks.map((c) => <Badge key={c.signal} kind={c.verified ? "ok" : ""}>{c.verified ? "✓" : "✗"} {capitalise(signalName(c.signal))}</Badge>)}
          {!!checks.data?.social_accounts && <Badge kind="ok">✓ {checks.data.social_accounts} linked social account{checks.data.social_accounts === 1 ? "" : "s"}</Badge>}
          {l.collateral && BigInt(l.collateral.amount) > 0n && <Badge kind="ok">✓ Collateral locked on chain</Badge>}
          {l.late_instalments > 0 && <Badge kind="warn">{l.late_instalments} late instalment{l.late_instalments === 1 ? "" : "s"}</Badge>}
        </p>
        {checks.data && <Reasons checks={checks.data} />}
        {l.late && <Notice kind="warn">This loan is late on a payment.</Notice>}
        <p className="muted">If a payment is late: after a grace period of {formatDuration(l.terms.grace_period)} a one-off late fee of {formatBps(l.terms.late_fee_bps)} of the instalment is added;
          {" "}{formatDuration(l.terms.default_after)} after the first missed due date anyone may mark the loan defaulted, and any collateral can then be sold to repay lenders. Lenders can lose money.</p>
        {l.health.seconds_until_default !== null && owing && <p>If no further payment is made, it could be marked defaulted in {formatDuration(l.health.seconds_until_default)}.</p>}
      </div>
      <div className="card"><h2>Collateral</h2>
        {l.collateral && BigInt(l.collateral.amount) > 0n ? <>
          <p><Money value={l.collateral.amount} token={l.collateral.token} decimals={4} /> held by the collateral vault
            {l.min_collateral_ratio_bps ? <> (at least {formatBps(l.min_collateral_ratio_bps, 0)} of the debt required)</> : null}.</p>
          <p><Health wad={l.health.health_wad} usable={l.health.price_usable ?? true} /></p>
          {l.health.liquidation_price_wad && BigInt(l.health.liquidation_price_wad) > 0n && BigInt(l.health.liquidation_price_wad) < 2n ** 255n &&
            <p>It can be sold to repay lenders if {l.collateral.token.symbol} falls below <strong>{formatWad(l.health.liquidation_price_wad)} USD</strong>.</p>}
          <p className="muted">Health is the collateral's value (times a safety threshold) divided by what is owed. Below 1.00 anyone may sell part of it to repay lenders.</p>
        </> : l.liquidations.length > 0
          ? <p>All of the collateral was sold to repay lenders (see Liquidations below). What is still owed is now unsecured.</p>
          : <p>Unsecured: no collateral. If the borrower stops paying, lenders have no asset to recover from.</p>}
      </div>
    </section>
    <section className="card" aria-label="Terms">
      <h2>Terms</h2>
      <dl className="facts">
        <dt>Amount</dt><dd><Money value={l.principal} token={t} /></dd>
        <dt>Interest rate (APR)</dt><dd>{formatBps(l.apr_bps)} a year</dd>
        <dt>Term</dt><dd>{l.instalments} instalments, one every {formatDuration(l.period)} ({formatDuration(termSeconds(l))})</dd>
        {l.instalment && <><dt>Instalment</dt><dd><Money value={l.instalment} token={t} /></dd></>}
        <dt>Purpose</dt><dd>{purposeName(l.purpose_name || l.purpose)}</dd>
        <dt>Borrower</dt><dd title={l.borrower}>{shortAddress(l.borrower)}</dd>
        <dt>Starts early at</dt><dd>{formatBps(l.terms.min_fill_bps, 0)} funded</dd>
        <dt>Funding closes</dt><dd>{formatDate(l.funding_deadline)}</dd>
        <dt>Platform fee</dt><dd>{formatBps(l.terms.fee_bps, 0)} of the interest repaid (never upfront)</dd>
      </dl>
      <FundingBar funded={l.funded} principal={l.principal} token={t} />
    </section>
    {isListed(l) && <FundForm loan={l} onFunded={() => [0, 2000, 5000].forEach((ms) => setTimeout(loan.reload, ms))} />}
    {owing && <section className="card"><h2>Now due</h2><dl className="facts">
      <dt>To be current</dt><dd><Money value={l.amount_due.to_be_current} token={t} /></dd>
      <dt>Pay off in full</dt><dd><Money value={l.amount_due.payoff} token={t} /></dd>
      <dt>Next due date</dt><dd>{formatDate(l.amount_due.next_due_date)}</dd>
      <dt>Still owed (principal)</dt><dd><Money value={l.outstanding} token={t} /></dd></dl></section>}
    {l.schedule.due_dates.length > 0 && <section className="card"><h2>Schedule</h2><div className="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on small screens)"><table>
      <thead><tr><th scope="col">#</th><th scope="col">Due</th><th scope="col">Payment</th><th scope="col">Status</th></tr></thead>
      <tbody>{l.schedule.due_dates.map((r) => <tr key={r.number}><td>{r.number}</td><td>{formatDate(r.due_date)}</td>
        <td>{l.schedule.instalment ? <Money value={l.schedule.instalment} token={t} /> : "—"}</td>
        <td>{r.paid ? "Paid" : r.due_date < l.now ? "Overdue" : "Upcoming"}</td></tr>)}</tbody></table></div>
      <p className="muted">Equal instalments; the last is slightly smaller and pays the loan off.</p></section>}
    {l.fundings.length > 0 && <section className="card"><h2>Lenders ({l.holders} holding notes)</h2><ul>
      {l.fundings.map((f, i) => <li key={i}><span title={f.lender}>{shortAddress(f.lender)}</span>: <Money value={f.amount} token={t} />
        {f.commitment_id ? " (auto-lend)" : ""}</li>)}</ul></section>}
    {l.repayments.length > 0 && <section className="card"><h2>Repayments</h2><ul>
      {l.repayments.map((r, i) => <li key={i}>{formatDate(r.at)}: <Money value={(BigInt(r.interest) + BigInt(r.principal) + BigInt(r.late_fees)).toString()} token={t} />
        {" "}(interest <Money value={r.interest} token={t} />, principal <Money value={r.principal} token={t} />)
        {l.liquidations.some((q) => q.tx_hash === r.tx_hash) && " — paid by a liquidation"}</li>)}</ul></section>}
    {l.liquidations.length > 0 && <section className="card" aria-label="Liquidations"><h2>Liquidations</h2><ul>
      {l.liquidations.map((q, i) => <li key={i}>{formatDate(q.at)}: <Money value={q.repaid} token={t} /> of the debt repaid
        {l.collateral && <> with <Money value={q.seized} token={l.collateral.token} decimals={6} /> of the collateral</>}
        {" "}by <span title={q.liquidator}>{shortAddress(q.liquidator)}</span>.</li>)}</ul>
      <p className="muted">When the collateral's health falls below 1.00, or the loan defaults, anyone may repay part of the debt and take collateral worth that much plus a bonus; lenders receive the repayment.</p></section>}
  </>;
}

function FundForm({ loan, onFunded }: { loan: LoanDetail; onFunded: () => void }) {
  const d = useDeployment();
  const w = useStore(wallet);
  const t = loan.token;
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [amount, setAmount] = useState<bigint | null>(null);
  const limits = useAsync(async () => {
    const [, minimum] = await d.client.readContract({ address: d.address("LoanBook"), abi: d.abi("LoanBook"),
      functionName: "loanTokens", args: [t.address] }) as [boolean, bigint];
    const balance = w.kind === "none" ? undefined
      : await d.client.readContract({ address: t.address as `0x${string}`, abi: erc20Abi, functionName: "balanceOf", args: [w.address] });
    return { minimum, balance };
  }, [w.kind === "none" ? "" : w.address, loan.funded]);
  const left = remaining(loan);
  const own = w.kind !== "none" && w.address.toLowerCase() === loan.borrower.toLowerCase();

  function submit(e: FormEvent) {
    e.preventDefault();
    if (w.kind === "none") { setError("Connect a wallet first (top of the page)."); return; }
    if (!limits.data) { setError(limits.error ? "Could not read the loan's limits from the chain; try again." : "Still reading the loan's limits…"); return; }
    const c = checkFunding(text, t, { minimum: limits.data.minimum, remaining: left, balance: limits.data.balance });
    if (!c.ok) { setError(c.error); return; }
    setError(null);
    setAmount(c.value);
  }

  return <section className="card" aria-label="Fund this loan">
    <h2>Fund this loan</h2>
    <p>You receive loan notes worth what you lend and claim your share of every repayment. Still needed: <Money value={left.toString()} token={t} />.
      {limits.data && <> Smallest amount: {formatMoney(limits.data.minimum, t)}.</>}</p>
    {own && <Notice kind="warn">This is your own loan.</Notice>}
    <form onSubmit={submit} noValidate>
      <Field label={`Amount to lend (${t.symbol})`} error={error} hint={limits.data?.balance !== undefined ? `You have ${formatMoney(limits.data.balance, t)}.` : undefined}>
        {(p) => <input {...p} inputMode="decimal" autoComplete="off" value={text} onChange={(e) => setText(e.target.value)} name="fund-amount" />}
      </Field>
      <button className="primary" type="submit" disabled={amount !== null || (w.kind !== "none" && !limits.data)}>Review funding</button>
    </form>
    {amount !== null && w.kind !== "none" && <TxPanel onClose={() => setAmount(null)} onSettled={onFunded}
      ctx={{ amount: (v) => formatMoney(v, t) }}
      build={async () => ({
        title: `Lend ${formatMoney(amount, t)} to loan #${loan.id}`,
        summary: [`You lend ${formatMoney(amount, t)} at ${formatBps(loan.apr_bps)} a year. If the loan is fully funded by its deadline (or reaches its minimum and starts), the money goes to the borrower; otherwise you can take it back.`,
          "You could lose some or all of it if the borrower defaults."],
        steps: [...await approval(d, w.address, t, "LoanBook", amount, (v) => formatMoney(v, t)),
          { label: `Lend ${formatMoney(amount, t)} to loan #${loan.id}`, call: call(d, "LoanBook", "fund", [BigInt(loan.id), amount]) }],
      })} />}
  </section>;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** What raised this borrower's predicted chance of default, from the score the loan was listed with. */
function Reasons({ checks }: { checks: BorrowerChecks }) {
  if (checks.score === null) return <p className="muted">The reasons behind this grade are not on record here (the score was issued elsewhere).</p>;
  const reasons = checks.reasons.filter((r) => !LOAN_SIGNALS.includes(r.signal)).slice(0, 4);
  return <div><h3>Why this grade</h3>
    {reasons.length === 0 ? <p>Nothing in particular raised the predicted risk: the verified profile is as good as the model's reference.</p> :
      <ul>{reasons.map((r) => <li key={r.signal}>{capitalise(signalName(r.signal))}: {reasonState(r.state)} (adds about {formatBps(r.pd_bps)} to the chance of default)</li>)}</ul>}
    <p className="muted">Score {checks.score} / 100. Only facts the platform verified and on-chain repayment history are used; the documents behind them stay private. The loan's amount, term and purpose also count.</p>
  </div>;
}
