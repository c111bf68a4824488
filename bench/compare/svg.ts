// Minimal SVG charts (no dependencies): CDF lines, grouped bars with optional ticks, x/y lines.
const W = 760;
const H = 380;
const M = { l: 64, r: 190, t: 36, b: 56 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fin = (x: number): boolean => Number.isFinite(x);

function niceMax(x: number): number {
  if (!fin(x) || x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

function frame(title: string, xLabel: string, yLabel: string, yMax: number, body: string, legend: string[], xTicks: string): string {
  const ph = H - M.t - M.b;
  const yt: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    const y = M.t + ph - (ph * i) / 5;
    yt.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${M.l - 6}" y="${y + 4}" text-anchor="end">${+v.toFixed(2)}</text>`);
  }
  const leg = legend.map((n, i) => `<rect x="${W - M.r + 12}" y="${M.t + i * 20}" width="12" height="12" fill="${COLORS[i % COLORS.length]}"/><text x="${W - M.r + 30}" y="${M.t + i * 20 + 11}">${esc(n)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="#fff"/>
<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>
${yt.join('\n')}
${xTicks}
<line x1="${M.l}" x2="${M.l}" y1="${M.t}" y2="${H - M.b}" stroke="#333"/><line x1="${M.l}" x2="${W - M.r}" y1="${H - M.b}" y2="${H - M.b}" stroke="#333"/>
<text x="${(M.l + W - M.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>
<text transform="translate(16 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>
${body}
${leg}
</svg>
`;
}

function xAxis(xMax: number): string {
  const pw = W - M.l - M.r;
  const out: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const x = M.l + (pw * i) / 5;
    out.push(`<text x="${x}" y="${H - M.b + 16}" text-anchor="middle">${+((xMax * i) / 5).toFixed(2)}</text>`);
  }
  return out.join('');
}

export function cdfChart(title: string, xLabel: string, series: { name: string; values: number[] }[]): string {
  const all = series.flatMap((s) => s.values).filter(fin).sort((a, b) => a - b);
  const xMax = niceMax(all[Math.floor(all.length * 0.995)] ?? 1);
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const body = series
    .map((s, i) => {
      const v = s.values.filter(fin).sort((a, b) => a - b);
      if (!v.length) return '';
      const pts = v.map((x, k) => `${(M.l + (Math.min(x, xMax) / xMax) * pw).toFixed(1)},${(M.t + ph - ((k + 1) / v.length) * ph).toFixed(1)}`);
      return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${pts.join(' ')}"/>`;
    })
    .join('\n');
  return frame(title, xLabel, 'fraction of frames', 1, body, series.map((s) => s.name), xAxis(xMax));
}

export function barChart(title: string, yLabel: string, groups: string[], series: { name: string; values: number[]; ticks?: number[] }[]): string {
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => [...s.values, ...(s.ticks ?? [])]).filter(fin)));
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const gw = pw / Math.max(1, groups.length);
  const bw = (gw * 0.8) / Math.max(1, series.length);
  const y = (v: number): number => M.t + ph - (Math.min(v, yMax) / yMax) * ph;
  const body: string[] = [];
  series.forEach((s, i) => {
    s.values.forEach((v, g) => {
      const x = M.l + g * gw + gw * 0.1 + i * bw;
      if (fin(v)) body.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(M.t + ph - y(v)).toFixed(1)}" fill="${COLORS[i % COLORS.length]}"/>`);
      const t = s.ticks?.[g];
      if (t !== undefined && fin(t)) body.push(`<line x1="${x.toFixed(1)}" x2="${(x + bw - 2).toFixed(1)}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#000" stroke-width="2"/>`);
    });
  });
  const xt = groups.map((g, k) => `<text x="${(M.l + k * gw + gw / 2).toFixed(1)}" y="${H - M.b + 16}" text-anchor="middle" font-size="10">${esc(g)}</text>`).join('');
  return frame(title, '', yLabel, yMax, body.join('\n'), series.map((s) => s.name), xt);
}

export function lineChart(title: string, xLabel: string, yLabel: string, series: { name: string; points: [number, number][] }[]): string {
  const xMax = niceMax(Math.max(0, ...series.flatMap((s) => s.points.map(([x]) => x))));
  const ys = series.flatMap((s) => s.points.map(([, yv]) => yv)).filter(fin).sort((a, b) => a - b);
  const yMax = niceMax(ys[ys.length - 1] ?? 1);
  const pw = W - M.l - M.r;
  const ph = H - M.t - M.b;
  const body = series
    .map((s, i) => `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${s.points.map(([x, yv]) => `${(M.l + (x / xMax) * pw).toFixed(1)},${(M.t + ph - (Math.min(yv, yMax) / yMax) * ph).toFixed(1)}`).join(' ')}"/>`)
    .join('\n');
  return frame(title, xLabel, yLabel, yMax, body, series.map((s) => s.name), xAxis(xMax));
}
