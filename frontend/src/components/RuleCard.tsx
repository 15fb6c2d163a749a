// One of the lender's auto-lend commitments: what it holds and lends, and every change to it.
// On chain (signed by the lender's wallet): change the rule, deposit, withdraw, close. Off chain
// (signed in; they bind only the platform's bot): pause, blocked borrowers, loans per day, minimum score.
import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import { useAsync, useDeployment } from "../lib/hooks";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { approval, call, notesApproval } from "../chain/tx";
import { formatDate, formatMoney, type Token } from "../lib/format";
import { checkAmount } from "../lib/validate";
import { describeRule, filtersForm, formOf, onChain, parseFilters, type Filters, type FiltersErrors, type Rule } from "../lib/rules";
import { Badge, ErrorNote, Field, Notice } from "./ui";
import { RuleEditor } from "./RuleEditor";
import { SignInGate, useSignedIn } from "./SignInGate";
import { TxPanel, type Plan } from "./TxPanel";

export type Commitment = { id: number; lender: string; token: string; available: string; budget: string; expiry: number;
  status: string; rule: Record<string, string | boolean> };

const STATUS: Record<string, [string, string]> = { open: ["ok", "Lending"], idle: ["warn", "Nothing to lend"],
  expired: ["warn", "Expired"], closed: ["", "Closed"] };

/** `onChanged`: after a transaction settles (the list is read again from the chain). */
export function RuleCard({ c, token, now, onChanged }: { c: Commitment; token: Token; now: number; onChanged: () => void }) {
  const d = useDeployment();
  const w = useStore(wallet);
  const [build, setBuild] = useState<(() => Promise<Plan>) | null>(null);
  const plan = (next: () => Promise<Plan>) => setBuild(() => next);
  const [editing, setEditing] = useState(false);
  const [amount, setAmount] = useState("");
  const [error, setError] = useState<string | null>(null);
  const m = (v: bigint | string) => formatMoney(v, token);
  const fields = { ...c.rule, budget: c.budget };  // the API keeps the remaining budget beside the rule
  const rule = { ...fields, worstGrade: Number(c.rule.worstGrade) } as unknown as Rule;
  const [kind, label] = STATUS[c.status] ?? ["", c.status];

  /** Deposit (after the approval it needs) or withdraw the typed amount. */
  function move(e: FormEvent, how: "deposit" | "withdraw") {
    e.preventDefault();
    const check = how === "deposit" ? checkAmount(amount, token) : checkAmount(amount, token, BigInt(c.available), "what the rule holds unlent");
    if (!check.ok || w.kind === "none") { setError(check.ok ? null : check.error); return; }
    setError(null);
    const v = check.value;
    plan(how === "deposit"
      ? async () => ({ title: `Deposit ${m(v)} into rule #${c.id}`,
        steps: [...await approval(d, w.address, token, "AutoLend", v, m),
          { label: `Deposit ${m(v)} into rule #${c.id}`, call: call(d, "AutoLend", "deposit", [BigInt(c.id), v]) }] })
      : async () => ({ title: `Withdraw ${m(v)} from rule #${c.id}`,
        steps: [{ label: `Withdraw ${m(v)} of rule #${c.id}'s unlent funds to your wallet`, call: call(d, "AutoLend", "withdraw", [BigInt(c.id), v]) }] }));
  }

  return <section className="card" aria-label={`Rule ${c.id}`} data-commitment-id={c.id}>
    <h3>Rule #{c.id} <Badge kind={kind}>{label}</Badge></h3>
    <p>Holds {m(c.available)}; may still lend {m(c.budget)}; until {formatDate(c.expiry)}. {c.rule.reinvest ? "Reinvests repayments." : ""}</p>
    <p className="muted">{describeRule(rule, token)}</p>
    {c.status !== "closed" && <>
      <form className="inline-form" onSubmit={(e) => move(e, "deposit")} noValidate aria-label={`Deposit or withdraw, rule ${c.id}`}>
        <Field label={`Amount (${token.symbol})`} error={error}>{(p) => <input {...p} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />}</Field>
        <div className="actions"><button type="submit">Deposit</button>
          <button type="button" disabled={BigInt(c.available) === 0n} onClick={(e) => move(e, "withdraw")}>Withdraw</button>
          <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>Change the rule</button>
          <button type="button" onClick={() => plan(async () => ({ title: `Close rule #${c.id}`, summary: ["Loans it already funded stay yours."],
            steps: [{ label: `Close rule #${c.id} and return its ${m(c.available)}`, call: call(d, "AutoLend", "close", [BigInt(c.id)]) }] }))}>Close rule</button>
        </div>
      </form>
      {editing && <RuleEditor initial={formOf(fields, token, now)} token={token} lender={c.lender} withDeposit={false}
        submitLabel="Review the change" onReady={(r) => w.kind !== "none" && plan(async () => ({ title: `Change rule #${c.id}`,
          summary: [describeRule(r, token)],
          steps: [...(r.reinvest ? await notesApproval(d, w.address, "AutoLend") : []),
            { label: `Set rule #${c.id}'s new limits`, call: call(d, "AutoLend", "setRule", [BigInt(c.id), onChain(r)]) }] }))} />}
      {build && <TxPanel build={build} onClose={() => setBuild(null)} onDone={() => { setAmount(""); setEditing(false); }}
        onSettled={onChanged} ctx={{ amount: m }} />}
      <BotSettings id={c.id} />
    </>}
  </section>;
}

/** The off-chain filters: they narrow what the platform's bot funds from this rule, nothing else. */
function BotSettings({ id }: { id: number }) {
  const signedIn = !!useSignedIn();
  const current = useAsync(() => signedIn ? api<Filters>(`/me/commitments/${id}/filters`) : Promise.resolve(null), [id, signedIn]);
  return <details className="bot-settings">
    <summary>Platform bot settings {current.data?.paused && <Badge kind="warn">Paused</Badge>}</summary>
    <p className="muted">These bind only the platform's bot: anyone else you allow to fund from this rule is held to the on-chain rule alone.</p>
    <SignInGate why="to pause this rule for the platform's bot or narrow what it funds">
      {current.error ? <ErrorNote error={current.error} /> : current.data && <BotFilters id={id} saved={current.data} onSaved={current.reload} />}
    </SignInGate>
  </details>;
}

function BotFilters({ id, saved, onSaved }: { id: number; saved: Filters; onSaved: () => void }) {
  const [form, setForm] = useState(filtersForm(saved));
  const [errors, setErrors] = useState<FiltersErrors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  async function save(paused: boolean) {
    setFailure(null);
    const parsed = parseFilters(form, paused);
    if (!parsed.ok) { setErrors(parsed.errors); return; }
    setErrors({});
    try { await api(`/me/commitments/${id}/filters`, { method: "PUT", body: parsed.filters }); onSaved(); }
    catch (e) { setFailure(e); }
  }
  return <>
    <button type="button" onClick={() => void save(!saved.paused)}>{saved.paused ? "Resume the bot for this rule" : "Pause the bot for this rule"}</button>
    {saved.paused && <Notice kind="warn">The platform's bot funds nothing from this rule while it is paused.</Notice>}
    <form onSubmit={(e) => { e.preventDefault(); void save(saved.paused); }} noValidate aria-label={`Bot settings of rule ${id}`}>
      <Field label="Never fund these borrowers (addresses, one per line)" error={errors.blocked}>{(p) =>
        <textarea {...p} rows={2} value={form.blocked} onChange={set("blocked")} spellCheck={false} />}</Field>
      <Field label="At most this many loans a day (empty: no limit)" error={errors.perDay}>{(p) =>
        <input {...p} inputMode="numeric" value={form.perDay} onChange={set("perDay")} />}</Field>
      <Field label="Minimum score, 0–100 (empty: any)" error={errors.minScore}>{(p) =>
        <input {...p} inputMode="numeric" value={form.minScore} onChange={set("minScore")} />}</Field>
      <button type="submit">Save bot settings</button>
    </form>
    <ErrorNote error={failure} />
  </>;
}
