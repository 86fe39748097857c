/** The harness's report: every row with its ratio, as a Markdown table and an SVG chart of latencies. */
import type { Row } from "./types.js";

const fmt = (value: number | undefined, digits = 2) => (value === undefined ? "" : Number(value.toFixed(digits)).toString());

function ratioText(row: Row): string {
  if (row.ratio === undefined) return "";
  const value = row.ratio.value;
  if (row.kind === "throughput") return `${fmt(value, 3)}× the req/s of ${row.ratio.to}`;
  return value >= 1 ? `${fmt(value, 1)}× slower than ${row.ratio.to}` : `${fmt(1 / value, 1)}× faster than ${row.ratio.to}`;
}

export function markdown(rows: Row[], facts: Record<string, string | number>): string {
  const header = Object.entries(facts)
    .map(([key, value]) => `- ${key}: ${value}`)
    .join("\n");
  const lines = rows.map((row) => {
    const cells = [
      row.group,
      row.label,
      fmt(row.p50, 3),
      fmt(row.p99, 3),
      fmt(row.max, 3),
      row.rps?.toString() ?? "",
      fmt(row.machineUs, 1),
      row.perGb?.toString() ?? "",
      ratioText(row),
    ];
    return `| ${cells.join(" | ")} |`;
  });
  return [
    "# isolambda benchmark",
    "",
    header,
    "",
    "Latencies in milliseconds. Throughput with autocannon on loopback; ratios are measured in this same run.",
    "",
    "| group | scenario | p50 ms | p99 ms | max ms | req/s | machine µs/req | envs/GB | compared |",
    "|---|---|---|---|---|---|---|---|---|",
    ...lines,
    "",
  ].join("\n");
}

/** Horizontal bars, p50 and p99, on a log scale from 0.01 ms: cold starts span five orders of magnitude. */
export function svg(rows: Row[]): string {
  const bars = rows.filter((row) => row.p50 !== undefined && row.p99 !== undefined);
  const width = 900;
  const left = 330;
  const barHeight = 12;
  const rowHeight = 34;
  const height = 40 + bars.length * rowHeight + 30;
  const min = Math.log10(0.01);
  const max = Math.log10(Math.max(10, ...bars.map((row) => row.p99 ?? 0)) * 1.2);
  const x = (ms: number) => left + ((Math.log10(Math.max(ms, 0.01)) - min) / (max - min)) * (width - left - 20);
  const xmlText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const parts = bars.map((row, i) => {
    const y = 40 + i * rowHeight;
    return [
      `<text x="${left - 8}" y="${y + 14}" text-anchor="end">${xmlText(row.label.length > 52 ? `${row.label.slice(0, 50)}…` : row.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${(x(row.p99 ?? 0) - left).toFixed(1)}" height="${barHeight}" fill="#f4a261"/>`,
      `<rect x="${left}" y="${y + barHeight}" width="${(x(row.p50 ?? 0) - left).toFixed(1)}" height="${barHeight}" fill="#2a9d8f"/>`,
      `<text x="${(x(row.p99 ?? 0) + 4).toFixed(1)}" y="${y + 20}">${fmt(row.p50, 3)} / ${fmt(row.p99, 3)} ms</text>`,
    ].join("");
  });
  const ticks = [0.01, 0.1, 1, 10, 100, 1000, 10000]
    .filter((ms) => Math.log10(ms) <= max)
    .map(
      (ms) =>
        `<line x1="${x(ms)}" y1="30" x2="${x(ms)}" y2="${height - 25}" stroke="#ddd"/><text x="${x(ms)}" y="${height - 10}" text-anchor="middle">${ms} ms</text>`,
    );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="18" font-size="13">p50 (green) and p99 (orange) latency per scenario, log scale</text>`,
    ...ticks,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
