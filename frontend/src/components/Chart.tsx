// A small line/point chart (uPlot), with the same numbers as a table for screen readers.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export type Series = { label: string; values: (number | null)[]; color: string; points?: boolean };

export function Chart({ title, x, xLabels, series, yLabel, height = 240 }: {
  title: string; x: number[]; xLabels: string[]; series: Series[]; yLabel: string; height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(240, Math.min(720, el.clientWidth || 600));
    const plot = new uPlot({
      width, height,
      scales: { x: { time: false } },
      axes: [{ values: (_u, ticks) => ticks.map((t) => xLabels[x.indexOf(t)] ?? "") }, { label: yLabel }],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2,
        points: { show: true, size: s.points ? 8 : 5 }, paths: s.points ? () => null : undefined }))],
    }, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    return () => plot.destroy();
  }, [x, xLabels, series, yLabel, height]);
  return <figure className="chart">
    <figcaption><strong>{title}</strong></figcaption>
    <div ref={box} aria-hidden="true" />
    <div className="sr-only"><table><caption>{title}</caption>
      <thead><tr><th scope="col">Point</th>{series.map((s) => <th scope="col" key={s.label}>{s.label}</th>)}</tr></thead>
      <tbody>{x.map((_, i) => <tr key={i}><th scope="row">{xLabels[i]}</th>{series.map((s) => <td key={s.label}>{s.values[i] ?? "—"}</td>)}</tr>)}</tbody>
    </table></div>
  </figure>;
}
