// The one way to send transactions: first what will happen (each step in words), then progress,
// then the outcome with gas. A failure is explained and leaves the page as it was.
import { useEffect, useState } from "react";
import { useDeployment } from "../lib/hooks";
import { runPlan, type Step, type StepState } from "../chain/tx";
import type { Decoded, ErrorContext } from "../chain/errors";
import { explainError } from "../chain/errors";
import { Notice } from "./ui";

export type Plan = { title: string; summary?: string[]; steps: Step[] };

/** `onDone` runs after success; `onSettled` after any outcome (refresh what the page shows). */
export function TxPanel({ build, onDone, onSettled, onClose, ctx }: {
  build: () => Promise<Plan>; onDone?: () => void; onSettled?: () => void; onClose: () => void; ctx?: ErrorContext;
}) {
  const d = useDeployment();
  const [plan, setPlan] = useState<Plan | null>(null);
  const [states, setStates] = useState<StepState[]>([]);
  const [phase, setPhase] = useState<"loading" | "review" | "running" | "done" | "failed">("loading");
  const [error, setError] = useState<Decoded | null>(null);
  const [gas, setGas] = useState<bigint>(0n);

  useEffect(() => {
    let live = true;
    build().then((p) => { if (live) { setPlan(p); setStates(p.steps.map(() => ({ status: "waiting" }))); setPhase("review"); } },
      (e) => { if (live) { setError(explainError(e, d.errors, ctx)); setPhase("failed"); } });
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function confirm() {
    if (!plan) return;
    setPhase("running");
    const outcome = await runPlan(d, plan.steps, (i, s) => setStates((prev) => prev.map((p, j) => (j === i ? s : p))), ctx);
    setGas(outcome.gasUsed);
    if (outcome.ok) { setPhase("done"); onDone?.(); } else { setError(outcome.error ?? null); setPhase("failed"); }
    onSettled?.();
  }

  return <section className="tx" aria-label="Transaction" aria-live="polite">
    <h3>{plan?.title ?? "Preparing transaction"}</h3>
    {phase === "loading" && <p className="muted">Checking what is needed…</p>}
    {plan && <>
      {plan.summary?.map((line) => <p key={line}>{line}</p>)}
      <p><strong>{plan.steps.length === 1 ? "Your wallet will ask you to sign one transaction:" : `Your wallet will ask you to sign ${plan.steps.length} transactions, in order:`}</strong></p>
      <ol className="steps">
        {plan.steps.map((s, i) => <li key={i} data-status={states[i]?.status}>
          {s.label} <StepStatus s={states[i]} />
        </li>)}
      </ol>
    </>}
    {phase === "done" && <Notice kind="ok">Done. Gas used: {gas.toLocaleString("en-US")}.</Notice>}
    {phase === "failed" && error && <Notice kind="error">{error.message}{gas > 0n ? ` (gas used by the steps that went through: ${gas.toLocaleString("en-US")})` : ""}</Notice>}
    <div className="actions">
      {phase === "review" && <button className="primary" onClick={confirm}>Confirm and sign</button>}
      {phase !== "running" && <button onClick={onClose}>{phase === "review" ? "Cancel" : "Close"}</button>}
    </div>
  </section>;
}

function StepStatus({ s }: { s?: StepState }) {
  if (!s || s.status === "waiting") return null;
  const words = { checking: "checking…", signing: "waiting for your signature…", mining: "sending…", done: "done", failed: "failed", waiting: "" }[s.status];
  return <span className={`step-status ${s.status}`}>
    — {words}{s.gasUsed !== undefined ? ` (gas ${s.gasUsed.toLocaleString("en-US")})` : ""}
    {s.hash && <code className="hash" title={s.hash}> {s.hash.slice(0, 10)}…</code>}
  </span>;
}
