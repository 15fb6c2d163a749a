// Lenders' marketplace: listings from GET /loans with filters and sorting (all applied by the API).
import { useState, type FormEvent } from "react";
import { api, query } from "../api/client";
import type { LoanSummary, Page } from "../api/types";
import { useAsync, navigate } from "../lib/hooks";
import { formatBps, formatDate, formatDuration, parseBps, parseUnits } from "../lib/format";
import { GRADES, purposeName, statusName } from "../lib/domain";
import { termSeconds } from "../lib/loan";
import { ErrorNote, FundingBar, GradeBadge, Loading, Money } from "../components/ui";
import { useLoanToken } from "../chain/tokens";

const SORTS: [string, string][] = [["-apr", "Highest interest rate"], ["apr", "Lowest interest rate"], ["grade", "Best grade first"],
  ["-grade", "Riskiest grade first"], ["-funded", "Most funded"], ["funded", "Least funded"], ["amount", "Smallest amount"],
  ["-amount", "Largest amount"], ["term", "Shortest term"], ["-term", "Longest term"], ["-collateral", "Most collateral"],
  ["newest", "Newest"], ["oldest", "Oldest"]];

type Filters = Record<string, string>;
const FIELDS = ["grade", "status", "min_apr", "max_apr", "max_term_months", "min_amount", "max_amount", "min_collateral", "min_funded", "sort"];

export function Marketplace({ query: q }: { query: URLSearchParams }) {
  const token = useLoanToken();
  const filters: Filters = Object.fromEntries(FIELDS.map((f) => [f, q.get(f) ?? ""]));
  if (!filters.status) filters.status = "listed";
  if (!filters.sort) filters.sort = "-apr";
  const pageNo = Number(q.get("page") ?? "1") || 1;
  const [draft, setDraft] = useState<Filters>(filters);
  const [formError, setFormError] = useState<string | null>(null);

  const decimals = token.data?.decimals ?? 6;
  const params = toParams(filters, decimals);
  const loans = useAsync(() => api<Page<LoanSummary>>(`/loans${query({ ...params.values, page: pageNo, per_page: 25 })}`),
    [JSON.stringify(params.values), pageNo]);

  function apply(e: FormEvent) {
    e.preventDefault();
    const check = toParams(draft, decimals);
    if (check.error) { setFormError(check.error); return; }
    setFormError(null);
    go(draft, 1);
  }
  function go(f: Filters, page: number) {
    const s = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== ""));
    if (page > 1) s.set("page", String(page));
    navigate(`/?${s.toString()}`);
  }
  const set = (k: string) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });
  const data = loans.data;

  return <>
    <h1>Marketplace</h1>
    <p className="lead">Borrowers ask for loans; you fund any part of one and earn interest as they repay. Every loan shows its
      credit grade (A+ is safest, E riskiest), the predicted chance it is never repaid (PD), and its collateral. Lending is risky: borrowers can default.</p>
    <form className="filters" onSubmit={apply} aria-label="Filter loans">
      <label>Grade<select value={draft.grade} onChange={set("grade")}><option value="">Any</option>
        {GRADES.map((g, i) => <option key={g} value={i + 1}>{g}</option>)}</select></label>
      <label>Status<select value={draft.status} onChange={set("status")}>
        {["listed", "active", "repaid", "defaulted", "cancelled", "expired", "closed", "any"].map((s) => <option key={s} value={s}>{statusName(s)}</option>)}</select></label>
      <label>Min rate (%)<input inputMode="decimal" value={draft.min_apr} onChange={set("min_apr")} placeholder="e.g. 8" /></label>
      <label>Max rate (%)<input inputMode="decimal" value={draft.max_apr} onChange={set("max_apr")} /></label>
      <label>Max term (months)<input inputMode="numeric" value={draft.max_term_months} onChange={set("max_term_months")} /></label>
      <label>Min amount<input inputMode="decimal" value={draft.min_amount} onChange={set("min_amount")} /></label>
      <label>Max amount<input inputMode="decimal" value={draft.max_amount} onChange={set("max_amount")} /></label>
      <label>Min collateral (%)<input inputMode="decimal" value={draft.min_collateral} onChange={set("min_collateral")} /></label>
      <label>Min funded (%)<input inputMode="decimal" value={draft.min_funded} onChange={set("min_funded")} /></label>
      <label>Sort by<select value={draft.sort} onChange={set("sort")}>{SORTS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}</select></label>
      <div className="actions"><button className="primary" type="submit">Show loans</button>
        <button type="button" onClick={() => { setDraft({ status: "listed", sort: "-apr" }); navigate("/"); }}>Reset</button></div>
      {formError && <p className="field-error" role="alert">{formError}</p>}
    </form>
    <ErrorNote error={loans.error} />
    {!data && loans.loading && <Loading what="Loading loans" />}
    {data && <>
      <p className="muted" aria-live="polite">{data.total.toLocaleString("en-US")} loan{data.total === 1 ? "" : "s"} found.</p>
      {data.items.length === 0 ? <p>No loans match these filters.</p> : <div className="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on small screens)"><table className="loans">
        <caption className="sr-only">Loans</caption>
        <thead><tr><th scope="col">Loan</th><th scope="col">Grade</th><th scope="col">Chance of default</th><th scope="col">Rate (APR)</th>
          <th scope="col">Amount</th><th scope="col">Term</th><th scope="col">Purpose</th><th scope="col">Collateral</th><th scope="col">Funded</th><th scope="col">Funding closes</th></tr></thead>
        <tbody>{data.items.map((l) => <tr key={l.id} data-loan-id={l.id}>
          <th scope="row"><a href={`#/loans/${l.id}`}>Loan #{l.id}</a></th>
          <td data-label="Grade"><GradeBadge grade={l.grade} /></td>
          <td data-label="Chance of default">{formatBps(l.pd_bps)}</td>
          <td data-label="Rate (APR)">{formatBps(l.apr_bps)}</td>
          <td data-label="Amount"><Money value={l.principal} token={l.token} decimals={0} /></td>
          <td data-label="Term">{formatDuration(termSeconds(l))}</td>
          <td data-label="Purpose">{purposeName(l.purpose_name || l.purpose)}</td>
          <td data-label="Collateral">{l.collateral && BigInt(l.collateral.amount) > 0n ? `${formatBps(l.min_collateral_ratio_bps ?? 0, 0)} required` : "None"}</td>
          <td data-label="Funded"><FundingBar funded={l.funded} principal={l.principal} token={l.token} /></td>
          <td data-label="Funding closes">{formatDate(l.funding_deadline)}</td>
        </tr>)}</tbody>
      </table></div>}
      <nav className="pager" aria-label="Pages">
        <button disabled={pageNo <= 1} onClick={() => go(filters, pageNo - 1)}>Previous</button>
        <span>Page {pageNo} of {Math.max(1, Math.ceil(data.total / data.per_page))}</span>
        <button disabled={pageNo * data.per_page >= data.total} onClick={() => go(filters, pageNo + 1)}>Next</button>
      </nav>
    </>}
  </>;
}

/** The form's words into the API's query (bps, base units, seconds); the first problem, if any. */
export function toParams(f: Filters, decimals: number): { values: Record<string, string>; error?: string } {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  if (f.grade) values.grade = f.grade;
  if (f.status && f.status !== "any") values.status = f.status;
  if (f.sort) values.sort = f.sort;
  const bps = (key: string, name: string, label: string) => {
    if (!f[key]) return;
    const p = parseBps(f[key]);
    if (p.ok) values[name] = p.value.toString(); else problems.push(`${label}: ${p.error}`);
  };
  bps("min_apr", "min_apr_bps", "Min rate"); bps("max_apr", "max_apr_bps", "Max rate");
  bps("min_collateral", "min_collateral_ratio_bps", "Min collateral"); bps("min_funded", "min_funded_bps", "Min funded");
  for (const [key, name, label] of [["min_amount", "min_amount", "Min amount"], ["max_amount", "max_amount", "Max amount"]]) {
    if (!f[key]) continue;
    const p = parseUnits(f[key], decimals);
    if (p.ok) values[name] = p.value.toString(); else problems.push(`${label}: ${p.error}`);
  }
  if (f.max_term_months) {
    if (/^\d+$/.test(f.max_term_months.trim())) values.max_term_days = String(Number(f.max_term_months) * 30);
    else problems.push("Max term: whole months, like 12.");
  }
  if (values.min_apr_bps && values.max_apr_bps && BigInt(values.min_apr_bps) > BigInt(values.max_apr_bps)) problems.push("Min rate is above max rate.");
  return { values, error: problems[0] };
}
