// A lender's portfolio (GET /lenders/{address}/portfolio): notes per loan, claimable and refunds,
// return with late loans counted as losses, breakdown by grade, repayments over time.
import { useState } from "react";
import { api } from "../api/client";
import type { Portfolio as PortfolioData, PortfolioItem } from "../api/types";
import { REFRESH_MS, useAsync, useDeployment, useEvery } from "../lib/hooks";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { call } from "../chain/tx";
import { formatBps, formatMoney, formatUnits } from "../lib/format";
import { gradeName } from "../lib/domain";
import { ErrorNote, GradeBadge, Loading, Money, Notice } from "../components/ui";
import { TxPanel, type Plan } from "../components/TxPanel";
import { Chart } from "../components/Chart";

const BUCKETS: Record<string, string> = { current: "Paying on time", late: "Late", defaulted: "Defaulted", repaid: "Repaid",
  closed: "Closed", listed: "Still raising funds", refundable: "Refund available" };

export function Portfolio() {
  const d = useDeployment();
  const w = useStore(wallet);
  const address = w.kind === "none" ? null : w.address;
  const data = useAsync(() => address ? api<PortfolioData>(`/lenders/${address}/portfolio`) : Promise.resolve(null), [address]);
  useEvery(REFRESH_MS, data.reload);
  const [plan, setPlan] = useState<(() => Promise<Plan>) | null>(null);

  if (!address) return <><h1>Portfolio</h1><p>Connect a wallet (top of the page) to see the loans you have funded.</p></>;
  const p = data.data;
  if (!p) return <><h1>Portfolio</h1>{data.error ? <ErrorNote error={data.error} /> : <Loading what="Loading your portfolio" />}</>;
  const token = p.items[0]?.token;
  const claimable = p.items.filter((i) => i.claimable && BigInt(i.claimable) > 0n);
  const totalClaimable = claimable.reduce((s, i) => s + BigInt(i.claimable!), 0n);
  const m = (v: string | number | null | undefined) => token && v !== null && v !== undefined ? formatMoney(String(v), token) : "—";

  function claimAll() {
    setPlan(() => async () => ({ title: `Claim ${m(totalClaimable.toString())}`,
      summary: [`Collect your share of repayments from ${claimable.length} loan${claimable.length === 1 ? "" : "s"} in one transaction.`],
      steps: [{ label: `Claim from loans ${claimable.map((i) => `#${i.id}`).join(", ")}`,
        call: call(d, "LoanBook", "claimMany", [claimable.map((i) => BigInt(i.id))]) }] }));
  }
  function refund(i: PortfolioItem) {
    setPlan(() => async () => ({ title: `Take back ${m(i.refundable)} from loan #${i.id}`,
      summary: [`Loan #${i.id} was ${i.status}; your funding returns to your wallet.`],
      steps: [{ label: `Refund your ${m(i.refundable)} from loan #${i.id}`, call: call(d, "LoanBook", "refund", [BigInt(i.id)]) }] }));
  }

  return <>
    <h1>Portfolio</h1>
    {!p.live && <Notice kind="warn">The blockchain node cannot be reached: claimable amounts are unknown right now.</Notice>}
    <section className="cards" aria-label="Summary">
      <div className="card"><h2>Lent</h2><p className="big">{m(p.totals.notes)}</p><p className="muted">in {p.items.length} loan{p.items.length === 1 ? "" : "s"}</p></div>
      <div className="card"><h2>Earned</h2><p className="big">{m(p.totals.earned)}</p><p className="muted">interest and late fees after the platform fee</p></div>
      <div className="card"><h2>Counted as lost</h2><p className="big">{m(p.totals.losses)}</p><p className="muted">what is still owed on late or defaulted loans, as if none comes back</p></div>
      <div className="card"><h2>Net annualised return</h2><p className="big">{p.net_annualised_return === null ? "—" : formatBps(Math.round(p.net_annualised_return * 10_000))}</p>
        <p className="muted">earnings minus losses, per year lent; late loans count as losses</p></div>
    </section>
    <section className="card" aria-label="Claim">
      <h2>Ready to claim: {m(totalClaimable.toString())}</h2>
      <button className="primary" disabled={claimable.length === 0} onClick={claimAll}>Claim all</button>
    </section>
    {plan && <TxPanel build={plan} onClose={() => setPlan(null)} onDone={data.reload} ctx={token && { amount: (v) => formatMoney(v, token) }} />}
    {p.items.length === 0 ? <p>You have not funded any loans yet. <a href="#/">Browse the marketplace</a>.</p> :
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on small screens)"><table aria-label="Your loans">
        <thead><tr><th scope="col">Loan</th><th scope="col">Grade</th><th scope="col">State</th><th scope="col">Your notes</th>
          <th scope="col">Share</th><th scope="col">Earned</th><th scope="col">Claimable</th><th scope="col">Action</th></tr></thead>
        <tbody>{p.items.map((i) => <tr key={i.id} data-loan-id={i.id}>
          <th scope="row"><a href={`#/loans/${i.id}`}>Loan #{i.id}</a></th>
          <td><GradeBadge grade={i.grade} /></td>
          <td>{BUCKETS[i.bucket] ?? i.bucket}</td>
          <td><Money value={i.notes} token={i.token} /></td>
          <td>{formatBps(i.share_bps, 1)}</td>
          <td><Money value={i.earned} token={i.token} /></td>
          <td>{i.claimable === null ? "—" : <Money value={i.claimable} token={i.token} />}</td>
          <td>{BigInt(i.refundable) > 0n && <button onClick={() => refund(i)}>Refund</button>}</td>
        </tr>)}</tbody></table></div>}
    {p.by_grade.length > 0 && token && <section className="card"><h2>By grade</h2><div className="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on small screens)"><table>
      <thead><tr><th scope="col">Grade</th><th scope="col">Loans</th><th scope="col">Lent</th><th scope="col">Earned</th><th scope="col">Counted as lost</th></tr></thead>
      <tbody>{p.by_grade.map((g) => <tr key={g.grade}><th scope="row">{gradeName(g.grade)}</th><td>{g.loans}</td>
        <td>{m(g.notes)}</td><td>{m(g.earned)}</td><td>{m(g.losses)}</td></tr>)}</tbody></table></div></section>}
    {p.monthly.length > 0 && token && <section className="card">
      <Chart title="Repayments over time (your share)" yLabel={token.symbol} x={p.monthly.map((_, i) => i)} xLabels={p.monthly.map((r) => r.month)}
        series={[{ label: "Repaid", color: "#1a7f37", values: p.monthly.map((r) => Number(formatUnits(r.repaid, token.decimals, { group: false, maxDecimals: 2 }))) },
          { label: "Claimed", color: "#0a58ca", values: p.monthly.map((r) => Number(formatUnits(r.claimed, token.decimals, { group: false, maxDecimals: 2 }))) }]} />
    </section>}
  </>;
}
