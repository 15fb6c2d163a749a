// Verification centre: the status of each check (email, phone, social, income, identity, bank
// link) from GET /me and /me/documents, and the forms that start and finish each one.
import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { DocumentRow, Profile } from "../api/types";
import { useAsync } from "../lib/hooks";
import { SignInGate } from "../components/SignInGate";
import { Badge, ErrorNote, Field, Loading, Notice } from "../components/ui";

export function Verification() {
  return <SignInGate title="Verification centre"><Centre /></SignInGate>;
}

function Centre() {
  const data = useAsync(() => Promise.all([api<Profile>("/me"), api<DocumentRow[]>("/me/documents")]), []);
  if (!data.data) return <><h1>Verification centre</h1>{data.error ? <ErrorNote error={data.error} /> : <Loading />}</>;
  const [profile, docs] = data.data;
  const v = profile.verified;
  const doc = (kind: string) => docs.filter((x) => x.kind === kind).at(-1);
  const docStatus = (kind: string, fact: string) => v[fact] ? "verified" : doc(kind)?.status === "pending" ? "in review" : doc(kind)?.status === "rejected" ? "rejected" : "not done";
  return <>
    <h1>Verification centre</h1>
    <p className="lead">Each check you complete is a verified fact the credit model can use; unverified claims are ignored. Better-verified
      borrowers usually get a better grade, so a lower maximum interest rate and higher limits. <a href="#/score">See your score</a>.</p>
    <div className="cards">
      <Check title="Email" status={v.email_verified ? "verified" : "not done"} detail={profile.email}><CodeForm channel="email" label="Email address" onDone={data.reload} /></Check>
      <Check title="Phone" status={v.phone_verified ? "verified" : "not done"} detail={profile.phone}><CodeForm channel="phone" label="Phone number (international, e.g. +447700900123)" onDone={data.reload} /></Check>
      <Check title="Social account" status={Number(v.social_accounts ?? 0) > 0 ? "verified" : "not done"} detail={v.social_accounts ? `${v.social_accounts} linked` : null}><Social /></Check>
      <Check title="Income" status={docStatus("income", "income_verified")} detail={null}><Upload kind="income" onDone={data.reload} /></Check>
      <Check title="Identity" status={docStatus("identity", "identity_verified")} detail={null}><Upload kind="identity" onDone={data.reload} /></Check>
      <Check title="Bank account" status={v.bank_account_verified ? "verified" : "not done"} detail={null}><Bank onDone={data.reload} /></Check>
    </div>
  </>;
}

function Check({ title, status, detail, children }: { title: string; status: string; detail: string | null | undefined; children: React.ReactNode }) {
  const kind = status === "verified" ? "ok" : status === "in review" ? "warn" : status === "rejected" ? "bad" : "";
  return <section className="card" aria-label={title}>
    <h2>{title} <Badge kind={kind}>{status === "verified" ? "✓ " : ""}{status}</Badge></h2>
    {detail && <p className="muted">{detail}</p>}
    {status !== "verified" && status !== "in review" && children}
  </section>;
}

function CodeForm({ channel, label, onDone }: { channel: "email" | "phone"; label: string; onDone: () => void }) {
  const [target, setTarget] = useState("");
  const [code, setCode] = useState("");
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const valid = channel === "email" ? /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(target) : /^\+[1-9]\d{6,14}$/.test(target);
  async function start(e: FormEvent) {
    e.preventDefault();
    if (!valid) { setError(channel === "email" ? "Enter an email address like name@example.com." : "Enter the number with its country code, like +447700900123."); return; }
    try { await api(`/me/verifications/${channel}/start`, { body: { target } }); setSent(true); setError(null); } catch (err) { setError((err as Error).message); }
  }
  async function confirm(e: FormEvent) {
    e.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) { setError("The code has six digits."); return; }
    try { await api(`/me/verifications/${channel}/confirm`, { body: { code: code.trim() } }); onDone(); } catch (err) { setError((err as Error).message); }
  }
  return !sent ? <form onSubmit={start} noValidate>
    <Field label={label} error={error}>{(p) => <input {...p} value={target} onChange={(e) => setTarget(e.target.value)} type={channel === "email" ? "email" : "tel"} autoComplete={channel === "email" ? "email" : "tel"} />}</Field>
    <button type="submit">Send a code</button></form>
  : <form onSubmit={confirm} noValidate>
    <Field label="Six-digit code" hint="On a development server the code is printed in the server's console." error={error}>{(p) => <input {...p} value={code} inputMode="numeric" autoComplete="one-time-code" onChange={(e) => setCode(e.target.value)} />}</Field>
    <button type="submit">Confirm</button></form>;
}

function Social() {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return <>
    <p>Link a social account you have had for a while (its age counts).</p>
    <button onClick={() => api<{ authorize_url: string }>("/me/social/start", { method: "POST" }).then((r) => setUrl(r.authorize_url), (e) => setError(e.message))}>Start linking</button>
    {url && <p><a href={url} target="_blank" rel="noreferrer">Open the provider to approve (new tab)</a>, then reload this page.</p>}
    {error && <Notice kind="error">{error}</Notice>}
  </>;
}

function Upload({ kind, onDone }: { kind: "income" | "identity"; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function send(e: FormEvent) {
    e.preventDefault();
    if (!file) { setError("Choose a PDF, PNG or JPEG file."); return; }
    if (!/^(application\/pdf|image\/png|image\/jpeg)$/.test(file.type)) { setError("Only PDF, PNG or JPEG files are accepted."); return; }
    const form = new FormData(); form.set("kind", kind); form.set("file", file);
    try { await api("/me/documents", { form, method: "POST" }); onDone(); } catch (err) { setError((err as Error).message); }
  }
  return <form onSubmit={send} noValidate>
    <p>{kind === "income" ? "Upload a recent payslip or tax statement." : "Upload a photo of an ID document."} A person reviews it.</p>
    <Field label={`${kind === "income" ? "Income" : "Identity"} document`} error={error}>{(p) => <input {...p} type="file" accept="application/pdf,image/png,image/jpeg" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />}</Field>
    <button type="submit">Upload for review</button></form>;
}

function Bank({ onDone }: { onDone: () => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  async function link(e: FormEvent) {
    e.preventDefault();
    if (!token.trim()) { setError("Enter the link token your bank's widget gave you."); return; }
    try { await api("/me/bank-link", { body: { public_token: token.trim() } }); onDone(); } catch (err) { setError((err as Error).message); }
  }
  return <form onSubmit={link} noValidate>
    <p>Linking a bank account shares balances and overdrafts (read only) with the credit model.</p>
    <Field label="Bank link token" hint="On a development server any token starting with dev- works." error={error}>{(p) => <input {...p} value={token} onChange={(e) => setToken(e.target.value)} />}</Field>
    <button type="submit">Link bank account</button></form>;
}
