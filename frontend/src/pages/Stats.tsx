// Platform statistics by grade (GET /stats/grades): volume, default and recovery rates, and the
// calibration chart: the PD predicted at listing against the default rate realised.
import { api } from "../api/client";
import type { GradeStat } from "../api/types";
import { useAsync } from "../lib/hooks";
import { formatMoney } from "../lib/format";
import { useLoanToken } from "../chain/tokens";
import { ErrorNote, Loading } from "../components/ui";
import { Chart } from "../components/Chart";

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)}%`);

export function Stats() {
  const stats = useAsync(() => api<{ grades: GradeStat[] }>("/stats/grades"), []);
  const token = useLoanToken();
  const g = stats.data?.grades;
  if (!g) return <><h1>Statistics</h1>{stats.error ? <ErrorNote error={stats.error} /> : <Loading />}</>;
  const shown = g.filter((r) => r.count > 0);
  return <>
    <h1>Statistics</h1>
    <p className="lead">How loans of each grade have done on this platform. "Predicted" is the average chance of default the credit model gave
      when the loans were listed; "realised" is the share of finished loans that actually defaulted. Few loans make these numbers noisy.</p>
    <div className="table-wrap" tabIndex={0} role="region" aria-label="Table (scrolls sideways on small screens)"><table aria-label="Results by grade">
      <thead><tr><th scope="col">Grade</th><th scope="col">Loans started</th><th scope="col">Volume</th><th scope="col">Defaulted</th>
        <th scope="col">Default rate</th><th scope="col">Predicted PD</th><th scope="col">Realised (finished loans)</th><th scope="col">Recovered after default</th></tr></thead>
      <tbody>{g.map((r) => <tr key={r.grade}><th scope="row">{r.grade_letter ?? r.grade}</th><td>{r.count}</td>
        <td>{token.data ? formatMoney(r.volume, token.data, 0) : r.volume}</td><td>{r.defaulted}</td><td>{pct(r.default_rate)}</td>
        <td>{pct(r.mean_predicted_pd)}</td><td>{pct(r.realised_default_rate)}{r.resolved ? ` of ${r.resolved}` : ""}</td><td>{pct(r.recovery_rate)}</td></tr>)}</tbody>
    </table></div>
    {shown.length > 0 ? <section className="card">
      <Chart title="Calibration: predicted vs realised default rate by grade (%)" yLabel="% of loans" x={shown.map((_, i) => i)}
        xLabels={shown.map((r) => r.grade_letter ?? String(r.grade))}
        series={[{ label: "Predicted PD", color: "#0a58ca", values: shown.map((r) => r.mean_predicted_pd === null ? null : +(r.mean_predicted_pd * 100).toFixed(2)) },
          { label: "Realised default rate", color: "#a40e26", points: true, values: shown.map((r) => r.realised_default_rate === null ? null : +(r.realised_default_rate * 100).toFixed(2)) }]} />
      <p className="muted">A well-calibrated model has the red points close to the blue line.</p>
    </section> : <p>No loan has started yet, so there is nothing to compare.</p>}
  </>;
}
