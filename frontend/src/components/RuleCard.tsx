// One of the lender's auto-lend commitments: what it holds and lends, and every change to it.
// On chain (signed by the lender's wallet): change the rule, deposit, withdraw, close. Off chain
// (signed in; they bind only the platform's bot): pause, blocked borrowers, loans per day, minimum score.
import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import { session } from "../api/session";
import { useAsync, useDeployment } from "../lib/hooks";
import { useStore } from "../lib/store";
import { wallet } from "../chain/wallet";
import { approval, call } from "../chain/tx";
import { formatDate, formatMoney, type Token } from "../lib/format";
import { checkAmount } from "../lib/validate";
import { describeRule, formOf, onChain, type Rule } from "../lib/rules";
import { Badge, ErrorNote, Field, Notice } from "./ui";
import { RuleEditor } from "./RuleEditor";
import type { Plan } from "./TxPanel";

export type Commitment = { id: number; lender: string; token: string; available: string; budget: string; expiry: number;
  status: string; rule: Record<string, string | boolean> };
type Filters = { blocked_borrowers: string[]; max_loans_per_day: number | null; min_score: number | null; paused: boolean };

const STATUS: Record<string, [string, string]> = { open: ["ok", "Lending"], idle: ["warn", "Nothing to lend"],
  expired: ["warn", "Expired"], closed: ["", "Closed"] };

export function RuleCard({ c, token, now, plan }: { c: Commitment; token: Token; now: number; plan: (build: () => Promise<Plan>) => void }) {
  const d = useDeployment();
  const w = useStore(wallet);
  const [editing, setEditing] = useState(false);
  const [amount, setAmount] = useState("");
  const [error, setError] = useState<string | null>(null);
  const m = (v: bigint | string) => formatMoney(v, token);
  const fields = { ...c.rule, budget: c.budget };  // the API keeps the remaining budget beside the rule
  const rule = { ...fields, worstGrade: Number(c.rule.worstGrade) } as unknown as Rule;
  const [kind, label] = STATUS[c.status] ?? ["", c.status];

  function deposit(e: FormEvent) {
    e.preventDefault();
    const check = checkAmount(amount, token);
    if (!check.ok || w.kind === "none") { setError(check.ok ? null : check.error); return; }
    setError(null);
    plan(async () => ({ title: `Deposit ${m(check.value)} into rule #${c.id}`,
      steps: [...await approval(d, w.address, token, "AutoLend", check.value, m),
        { label: `Deposit ${m(check.value)} into rule #${c.id}`, call: call(d, "AutoLend", "deposit", [BigInt(c.id), check.value]) }] }));
  }

  return <section className="card" aria-label={`Rule ${c.id}`} data-commitment-id={c.id}>
    <h3>Rule #{c.id} <Badge kind={kind}>{label}</Badge></h3>
    <p>Holds {m(c.available)}; may still lend {m(c.budget)}; until {formatDate(c.expiry)}. {c.rule.reinvest ? "Reinvests repayments." : ""}</p>
    <p className="muted">{describeRule(rule, token)}</p>
    {c.status !== "closed" && <>
      <form className="inline-form" onSubmit={deposit} noValidate>
        <Field label={`Amount (${token.symbol})`} error={error}>{(p) => <input {...p} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />}</Field>
        <div className="actions"><button type="submit">Deposit more</button>
          <button type="button" disabled={BigInt(c.available) === 0n} onClick={() => plan(async () => ({ title: `Withdraw ${m(c.available)} from rule #${c.id}`,
            steps: [{ label: `Withdraw the unlent ${m(c.available)} to your wallet`, call: call(d, "AutoLend", "withdraw", [BigInt(c.id), BigInt(c.available)]) }] }))}>Withdraw unlent funds</button>
          <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>Change the rule</button>
          <button type="button" onClick={() => plan(async () => ({ title: `Close rule #${c.id}`, summary: ["Loans it already funded stay yours."],
            steps: [{ label: `Close rule #${c.id} and return its ${m(c.available)}`, call: call(d, "AutoLend", "close", [BigInt(c.id)]) }] }))}>Close rule</button>
        </div>
      </form>
      {editing && <RuleEditor initial={formOf(fields, token, now)} token={token} lender={c.lender} withDeposit={false}
        submitLabel="Review the change" onReady={(r) => plan(async () => ({ title: `Change rule #${c.id}`, summary: [describeRule(r, token)],
          steps: [{ label: `Set rule #${c.id}'s new limits`, call: call(d, "AutoLend", "setRule", [BigInt(c.id), onChain(r)]) }] }))} />}
      <BotSettings id={c.id} />
    </>}
  </section>;
}

/** The off-chain filters: they narrow what the platform's bot funds from this rule, nothing else. */
function BotSettings({ id }: { id: number }) {
  const s = useStore(session);
  const w = useStore(wallet);
  const signedIn = !!s && w.kind !== "none" && s.wallet.toLowerCase() === w.address.toLowerCase();
  const current = useAsync(() => signedIn ? api<Filters>(`/me/commitments/${id}/filters`) : Promise.resolve(null), [id, signedIn]);
  const [draft, setDraft] = useState<{ blocked: string; perDay: string; minScore: string } | null>(null);
  const [saved, setSaved] = useState<unknown>(null);
  if (!signedIn) return <p className="muted">Sign in (top of the page) to pause this rule for the platform's bot or narrow what it funds.</p>;
  if (!current.data) return current.error ? <ErrorNote error={current.error} /> : null;
  const f = current.data;
  const form = draft ?? { blocked: f.blocked_borrowers.join("\n"), perDay: f.max_loans_per_day?.toString() ?? "", minScore: f.min_score?.toString() ?? "" };

  async function save(changes: Partial<Filters>) {
    setSaved(null);
    const body: Filters = { blocked_borrowers: form.blocked.split(/[\s,]+/).filter(Boolean),
      max_loans_per_day: form.perDay ? Number(form.perDay) : null, min_score: form.minScore ? Number(form.minScore) : null,
      paused: f.paused, ...changes };
    try { await api(`/me/commitments/${id}/filters`, { method: "PUT", body }); setDraft(null); current.reload(); }
    catch (e) { setSaved(e); }
  }
  return <details className="bot-settings">
    <summary>Platform bot settings {f.paused && <Badge kind="warn">Paused</Badge>}</summary>
    <p className="muted">These bind only the platform's bot: anyone else you allow to fund from this rule is held to the on-chain rule alone.</p>
    <button type="button" onClick={() => void save({ paused: !f.paused })}>{f.paused ? "Resume the bot for this rule" : "Pause the bot for this rule"}</button>
    <form onSubmit={(e) => { e.preventDefault(); void save({}); }} noValidate>
      <Field label="Never fund these borrowers (addresses, one per line)">{(p) =>
        <textarea {...p} rows={2} value={form.blocked} onChange={(e) => setDraft({ ...form, blocked: e.target.value })} />}</Field>
      <Field label="At most this many loans a day">{(p) =>
        <input {...p} inputMode="numeric" value={form.perDay} onChange={(e) => setDraft({ ...form, perDay: e.target.value })} />}</Field>
      <Field label="Minimum score (0–100)">{(p) =>
        <input {...p} inputMode="numeric" value={form.minScore} onChange={(e) => setDraft({ ...form, minScore: e.target.value })} />}</Field>
      <button type="submit">Save bot settings</button>
    </form>
    {f.paused && <Notice kind="warn">The platform's bot funds nothing from this rule while it is paused.</Notice>}
    <ErrorNote error={saved} />
  </details>;
}
