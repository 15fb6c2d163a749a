// An auto-lend rule's form, for a new commitment (with its deposit) or to change one (setRule).
// The API checks the rule as the contract would (POST /rules/validate) before anything is signed,
// and backtests it on the platform's own history (POST /rules/preview).
import { useState, type FormEvent } from "react";
import { api, ApiError } from "../api/client";
import { useDeployment } from "../lib/hooks";
import { formatBps, formatMoney, plural, type Token } from "../lib/format";
import { GRADES, PURPOSES } from "../lib/domain";
import { acceptsPurpose, FORM_FIELD, invalidRuleMessage, parseRule, refusalWords, warningText, withPurpose, type FormField, type Rule,
  type RuleForm } from "../lib/rules";
import { ErrorNote, Field, Notice } from "./ui";

type Warning = { field: string; code: string; message: string };
type Preview = { considered: number; funded: number; lent: string; earned: string; losses: string; net: string;
  return_bps: number | null; outcomes: Record<string, number>; refusals: Record<string, number>;
  loans: { loan_id: number; amount: string; outcome: string; earned: string; loss: string }[] };

const LABELS: [FormField, string, string][] = [["worstGrade", "Worst grade accepted", ""], ["minApr", "Lowest rate (APR %)", "decimal"],
  ["maxApr", "Highest rate (APR %)", "decimal"], ["maxMonths", "Longest term (months)", "numeric"],
  ["minCollateral", "Minimum collateral (% of loan)", "decimal"], ["maxPd", "Highest chance of default (%)", "decimal"],
  ["maxPerLoan", "Most per loan", "decimal"], ["maxPerBorrower", "Most per borrower", "decimal"], ["budget", "Total budget", "decimal"],
  ["days", "Rule lasts (days)", "numeric"]];

export function RuleEditor({ initial, token, lender, withDeposit, submitLabel, onReady }: {
  initial: RuleForm; token: Token; lender: string; withDeposit: boolean; submitLabel: string;
  onReady: (rule: Rule, deposit: bigint) => void;
}) {
  const d = useDeployment();
  const [f, setF] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<FormField, string>>>({});
  const [warnings, setWarnings] = useState<Warning[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const set = (k: FormField) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  async function checked(): Promise<{ rule: Rule; deposit: bigint } | null> {
    setFailure(null);
    const block = await d.client.getBlock();
    const parsed = parseRule(f, token, Number(block.timestamp));
    if (!parsed.ok) { setErrors(parsed.errors); return null; }
    try {
      const body = { rule: parsed.rule, ...(withDeposit ? { token: token.address, deposit: parsed.deposit.toString() } : {}) };
      const answer = await api<{ warnings: Warning[] }>("/rules/validate", { body });
      setErrors({});
      setWarnings(answer.warnings);
      return parsed;
    } catch (e) {
      if (e instanceof ApiError && e.code === "invalid_rule") {
        const refused = (e.details as { errors: { field: string }[] }).errors;
        setErrors(Object.fromEntries(refused.map((r) => [FORM_FIELD[r.field], invalidRuleMessage(r.field)])));
      } else setFailure(e);
      return null;
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const ok = await checked();
    if (ok) onReady(ok.rule, ok.deposit);
  }

  async function backtest() {
    const ok = await checked();
    if (!ok) return;
    try {
      setPreview(await api<Preview>("/rules/preview", { body: { rule: ok.rule, token: token.address, lender,
        ...(withDeposit ? { deposit: ok.deposit.toString() } : {}) } }));
    } catch (err) { setFailure(err); }
  }

  const units = (k: FormField) => ["maxPerLoan", "maxPerBorrower", "budget"].includes(k) ? ` (${token.symbol})` : "";
  return <form className="card" onSubmit={submit} noValidate aria-label={withDeposit ? "New auto-lend rule" : "Change the rule"}>
    <div className="grid-form">
      {withDeposit && <Field label={`Deposit (${token.symbol})`} error={errors.deposit}>{(p) =>
        <input {...p} inputMode="decimal" value={f.deposit} onChange={set("deposit")} />}</Field>}
      {LABELS.map(([k, label, mode]) => <Field key={k} label={label + units(k)} error={errors[k]}>{(p) => k === "worstGrade"
        ? <select {...p} value={f.worstGrade} onChange={set("worstGrade")}>{GRADES.map((g, i) => <option key={g} value={i + 1}>{g}</option>)}</select>
        : <input {...p} inputMode={mode as "decimal" | "numeric"} value={String(f[k])} onChange={set(k)} />}</Field>)}
    </div>
    <fieldset className="purposes" aria-describedby={errors.purposes ? "purposes-error" : undefined}>
      <legend>Loan purposes accepted</legend>
      {PURPOSES.map((name, i) => <label key={name} className="inline"><input type="checkbox" checked={acceptsPurpose(f.purposes, i)}
        onChange={(e) => setF({ ...f, purposes: withPurpose(f.purposes, i, e.target.checked) })} /> {name}</label>)}
      {errors.purposes && <small id="purposes-error" className="field-error">{errors.purposes}</small>}
    </fieldset>
    <Field label="Only this address may fund from the rule (optional)" error={errors.operator}
      hint="Empty: anyone, such as the platform's bot, may fund matching loans from your rule. You, its owner, always may.">{(p) =>
      <input {...p} value={f.operator} onChange={set("operator")} placeholder="0x…" spellCheck={false} />}</Field>
    <label className="inline"><input type="checkbox" checked={f.reinvest} onChange={(e) => setF({ ...f, reinvest: e.target.checked })} /> Reinvest
      repayments (lets the auto-lend contract claim your repayments back into this rule)</label>
    {warnings.map((w) => <Notice key={w.code} kind="warn">{warningText(w)}</Notice>)}
    {Object.keys(errors).length > 0 && <Notice kind="error">Nothing to sign yet: fix the {Object.keys(errors).length === 1 ? "field" : "fields"} marked
      above first.</Notice>}
    <ErrorNote error={failure} />
    <div className="actions">
      <button type="button" onClick={() => void backtest()}>Backtest on past loans</button>
      <button className="primary" type="submit">{submitLabel}</button>
    </div>
    {preview && <BacktestResult preview={preview} token={token} />}
  </form>;
}

function BacktestResult({ preview: p, token }: { preview: Preview; token: Token }) {
  const m = (v: string) => formatMoney(v, token);
  const outcomes = Object.entries(p.outcomes).filter(([, n]) => n > 0);
  const refusals = Object.entries(p.refusals);
  return <section aria-label="Backtest" className="backtest" aria-live="polite">
    <h3>Backtest on the platform's own history</h3>
    {p.funded === 0 ? <p>Of {plural(p.considered, "past listing")}, this rule would have funded none.</p> : <>
      <p>Of {plural(p.considered, "past listing")}, this rule would have funded <strong>{p.funded}</strong>, lending {m(p.lent)}.</p>
      <dl className="facts">
        <dt>Outcomes</dt><dd>{outcomes.map(([k, n]) => `${n} ${k}`).join(", ") || "none yet"}</dd>
        <dt>Earned</dt><dd>{m(p.earned)} (interest and late fees, after platform fees)</dd>
        <dt>Counted as lost</dt><dd>{m(p.losses)} (principal of late and defaulted loans)</dd>
        <dt>Return</dt><dd>{p.return_bps === null ? "—" : formatBps(p.return_bps)} of what was lent, not annualised</dd>
      </dl>
      <details><summary>The {plural(p.funded, "loan")} it would have funded</summary>
        <div className="table-wrap"><table>
          <thead><tr><th scope="col">Loan</th><th scope="col">Amount</th><th scope="col">Outcome</th><th scope="col">Earned</th><th scope="col">Lost</th></tr></thead>
          <tbody>{p.loans.map((l) => <tr key={l.loan_id}><th scope="row"><a href={`#/loans/${l.loan_id}`}>#{l.loan_id}</a></th>
            <td>{m(l.amount)}</td><td>{l.outcome}</td><td>{m(l.earned)}</td><td>{m(l.loss)}</td></tr>)}</tbody>
        </table></div></details></>}
    {refusals.length > 0 && <p>Left out: {refusals.map(([k, n]) => `${n} — ${refusalWords(k)}`).join("; ")}.</p>}
    <p className="muted">Past loans on this platform only (listings still open are left out), with late and defaulted loans counted as
      losses. Past results do not predict future ones.</p>
  </section>;
}
