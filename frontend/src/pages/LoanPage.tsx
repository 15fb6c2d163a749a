// Loan detail (GET /loans/{id}): risk first (grade, PD, reasons, verified signals, collateral
// health, what happens if late), then terms, funding, schedule, and the fund form.
import { useState, type FormEvent } from "react";
import { erc20Abi } from "viem";
import { api } from "../api/client";
import type { LoanDetail } from "../api/types";
import { useAsync, useDeployment } from "../lib/hooks";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { approval, call } from "../chain/tx";
import { formatBps, formatDate, formatDuration, formatMoney, formatWad, shortAddress } from "../lib/format";
import { gradeHint, gradeName, LATE_POLICY_TEXT, purposeName, statusName } from "../lib/domain";
import { isListed, remaining, termSeconds } from "../lib/loan";
import { checkFunding } from "../lib/validate";
import { Badge, ErrorNote, Field, FundingBar, GradeBadge, Health, Loading, Money, Notice } from "../components/ui";
import { TxPanel } from "../components/TxPanel";

const SIGNALS: Record<string, string> = { identity_verified: "Identity verified", email_verified: "Email verified",
  phone_verified: "Phone verified", income_verified: "Income verified", bank_account_verified: "Bank account linked",
  social_accounts: "Social accounts" };

export function LoanPage({ id }: { id: number }) {
  const loan = useAsync(() => api<LoanDetail>(`/loans/${id}`), [id]);
  const l = loan.data;
  if (!l) return loan.error ? <><h1>Loan #{id}</h1><ErrorNote error={loan.error} /></> : <Loading what="Loading the loan" />;
  const t = l.token;
  const verified = Array.isArray(l.verified) ? l.verified : Object.entries(l.verified ?? {}).filter(([, v]) => v).map(([k]) => k);

  return <>
    <h1>Loan #{l.id} <small className="muted">{statusName(l.status)}</small></h1>
    <section className="cards" aria-label="Risk">
      <div className="card"><h2>Risk</h2>
        <p><GradeBadge grade={l.grade} /> Grade {gradeName(l.grade)}: {gradeHint(l.grade)}.</p>
        <p>Predicted chance this loan is never fully repaid (PD): <strong>{formatBps(l.pd_bps)}</strong>.</p>
        {l.reasons?.length ? <><h3>Why this grade</h3><ul>{l.reasons.map((r, i) => <li key={i}>{r.text ?? r.label ?? r.signal}</li>)}</ul></> : null}
        {verified.length > 0 && <p aria-label="Verified signals">{verified.map((v) => <Badge key={v} kind="ok">✓ {SIGNALS[v] ?? v.replace(/_/g, " ")}</Badge>)}</p>}
        {l.late && <Notice kind="warn">This loan is late on a payment.</Notice>}
        <p className="muted">{LATE_POLICY_TEXT}</p>
      </div>
      <div className="card"><h2>Collateral</h2>
        {l.collateral && BigInt(l.collateral.amount) > 0n ? <>
          <p><Money value={l.collateral.amount} token={l.collateral.token} decimals={4} /> held by the collateral vault.</p>
          <p><Health wad={l.health?.health_wad} usable={l.health?.price_usable ?? true} /></p>
          {l.health?.liquidation_price_wad && BigInt(l.health.liquidation_price_wad) > 0n &&
            <p>It can be sold to repay lenders if {l.collateral.token.symbol} falls below <strong>{formatWad(l.health.liquidation_price_wad)} USD</strong>.</p>}
        </> : <p>Unsecured: no collateral. If the borrower stops paying, lenders have no asset to recover from.</p>}
      </div>
    </section>
    <section className="card" aria-label="Terms">
      <h2>Terms</h2>
      <dl className="facts">
        <dt>Amount</dt><dd><Money value={l.principal} token={t} /></dd>
        <dt>Interest rate (APR)</dt><dd>{formatBps(l.apr_bps)} a year</dd>
        <dt>Term</dt><dd>{l.instalments} instalments, one every {formatDuration(l.period)} ({formatDuration(termSeconds(l))})</dd>
        {l.instalment && <><dt>Instalment</dt><dd><Money value={l.instalment} token={t} /></dd></>}
        <dt>Purpose</dt><dd>{purposeName(l.purpose)}</dd>
        <dt>Borrower</dt><dd title={l.borrower}>{shortAddress(l.borrower)}</dd>
        {l.min_fill_bps !== undefined && <><dt>Starts early at</dt><dd>{formatBps(l.min_fill_bps, 0)} funded</dd></>}
        <dt>Funding closes</dt><dd>{formatDate(l.funding_deadline)}</dd>
      </dl>
      <FundingBar funded={l.funded} principal={l.principal} token={t} />
    </section>
    {isListed(l) && <FundForm loan={l} onFunded={loan.reload} />}
    {l.amount_due && <section className="card"><h2>Now due</h2><dl className="facts">
      <dt>To be current</dt><dd><Money value={l.amount_due.to_be_current} token={t} /></dd>
      <dt>Pay off in full</dt><dd><Money value={l.amount_due.payoff} token={t} /></dd>
      <dt>Next due date</dt><dd>{formatDate(l.amount_due.next_due_date)}</dd></dl></section>}
    {l.schedule && l.schedule.length > 0 && <section className="card"><h2>Schedule</h2><div className="table-wrap"><table>
      <thead><tr><th scope="col">#</th><th scope="col">Due</th><th scope="col">Payment</th><th scope="col">Status</th></tr></thead>
      <tbody>{l.schedule.map((r, i) => <tr key={i}><td>{r.number ?? i + 1}</td><td>{formatDate(r.due_date)}</td>
        <td>{r.amount ? <Money value={r.amount} token={t} /> : "—"}</td><td>{r.status ?? (r.paid ? "paid" : "")}</td></tr>)}</tbody></table></div></section>}
    {l.fundings && l.fundings.length > 0 && <section className="card"><h2>Lenders</h2><ul>
      {l.fundings.map((f, i) => <li key={i}><span title={f.lender}>{shortAddress(f.lender)}</span>: <Money value={f.amount} token={t} /></li>)}</ul></section>}
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
    if (!limits.data) return;
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
      <button className="primary" type="submit" disabled={amount !== null}>Review funding</button>
    </form>
    {amount !== null && w.kind !== "none" && <TxPanel onClose={() => setAmount(null)} onDone={onFunded}
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
