// Score page (GET /me/score): grade, score, PD, the reasons that raise the PD most, and the next
// verification with how much it would help.
import { api } from "../api/client";
import type { Score } from "../api/types";
import { useAsync } from "../lib/hooks";
import { formatBps } from "../lib/format";
import { LOAN_SIGNALS, reasonState, signalName } from "../lib/domain";
import { SignInGate } from "../components/SignInGate";
import { ErrorNote, GradeBadge, Loading, Notice } from "../components/ui";


export function ScorePage() {
  return <SignInGate title="My credit score"><ScoreView /></SignInGate>;
}

function ScoreView() {
  const score = useAsync(() => api<Score>("/me/score"), []);
  const s = score.data;
  if (!s) return <><h1>My credit score</h1>{score.error ? <ErrorNote error={score.error} /> : <Loading what="Scoring" />}</>;
  const hint = s.next_verification;
  // The loan's own terms (amount, term, purpose) are scored with each listing, not part of the profile.
  const profileReasons = s.reasons.filter((r) => !LOAN_SIGNALS.includes(String(r.signal)));
  return <>
    <h1>My credit score</h1>
    <section className="cards">
      <div className="card"><h2>Grade</h2><p className="big"><GradeBadge grade={s.grade} /> {s.grade}</p><p className="muted">A+ is the best of nine grades, E the riskiest.</p></div>
      <div className="card"><h2>Score</h2><p className="big">{s.score} / 100</p></div>
      <div className="card"><h2>Chance of default</h2><p className="big">{formatBps(s.pd_bps)}</p><p className="muted">The model's estimate that a loan like yours is not repaid.</p></div>
    </section>
    {hint && <Notice kind="info"><strong>Next step that helps most:</strong> complete your {signalName(hint.signal)}
      {hint.pd_bps !== undefined && <> — your predicted chance of default would be about {formatBps(Number(hint.pd_bps))}</>}
      {hint.grade ? <> and your grade {String(hint.grade)}</> : null}. <a href="#/verify">Go to verification</a></Notice>}
    <section className="card"><h2>What lowers your grade</h2>
      {profileReasons.length === 0 ? <p>Nothing in particular: your verified profile is as good as the model's reference.</p> :
        <ol>{profileReasons.map((r, i) => <li key={i}>Your {signalName(r.signal)} is {reasonState(r.state)}
          {r.pd_bps !== undefined && <> (adds about {formatBps(Number(r.pd_bps))} to your chance of default)</>}</li>)}</ol>}
      <p className="muted">The amount, term and purpose of a loan also count; they are scored with each listing.</p>
      {s.warnings.length > 0 && <ul className="muted">{s.warnings.map((w) => <li key={w}>{w}</li>)}</ul>}
      <p className="muted">Model {s.model_id.slice(0, 12)}; scored {new Date(s.created_at).toLocaleString("en-GB")}. Only verified facts and your on-chain repayment history are used.</p>
    </section>
  </>;
}
