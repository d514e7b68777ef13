/**
 * Charts as plain SVG, drawn from the numbers the API answered: bars for distributions, a stacked
 * bar for shares, a line for a score over time. Each says in words what it shows (`label`), and its
 * figures are written on it, so nothing is in the colour or the shape alone.
 */

export interface Bar {
  label: string;
  value: number;
  /** A CSS class for the bar's colour (`tone-red`...). */
  tone?: string;
}

/** Vertical bars with their value above and label below: a 0-10 distribution, an NPS per month. */
export function Bars({
  bars,
  label,
  format = String,
}: {
  bars: Bar[];
  label: string;
  format?: (n: number) => string;
}) {
  const width = Math.max(bars.length * 44, 240);
  const height = 160;
  const top = 18;
  const bottom = 22;
  const max = Math.max(1, ...bars.map((b) => Math.abs(b.value)));
  const min = Math.min(0, ...bars.map((b) => b.value));
  const span = max - min || 1;
  const y = (v: number) => top + ((max - v) / span) * (height - top - bottom);
  const slot = width / Math.max(1, bars.length);
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      <line class="axis" x1="0" x2={width} y1={y(0)} y2={y(0)} />
      {bars.map((bar, i) => {
        const x = i * slot + slot * 0.15;
        const from = y(Math.max(0, bar.value));
        const to = y(Math.min(0, bar.value));
        return (
          <g key={bar.label}>
            <rect
              class={`bar ${bar.tone ?? ''}`}
              x={x}
              y={from}
              width={slot * 0.7}
              height={Math.max(1, to - from)}
              rx="2"
            />
            <text class="value" x={x + slot * 0.35} y={from - 4} text-anchor="middle">
              {format(bar.value)}
            </text>
            <text class="tick" x={x + slot * 0.35} y={height - 6} text-anchor="middle">
              {bar.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** One bar split in parts (promoters, passives, detractors), with a legend giving each part's count and share. */
export function Split({ parts, label }: { parts: Bar[]; label: string }) {
  const total = parts.reduce((sum, p) => sum + p.value, 0);
  let at = 0;
  return (
    <figure class="split">
      <svg class="split-bar" viewBox="0 0 100 8" preserveAspectRatio="none" role="img" aria-label={label}>
        <title>{label}</title>
        {parts.map((part) => {
          const w = total === 0 ? 0 : (part.value / total) * 100;
          const x = at;
          at += w;
          return <rect key={part.label} class={`bar ${part.tone ?? ''}`} x={x} y="0" width={w} height="8" />;
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          {parts.map((part) => (
            <li key={part.label}>
              <span class={`swatch ${part.tone ?? ''}`} aria-hidden="true" />
              {part.label}: <strong>{part.value}</strong>
              {total > 0 && ` (${Math.round((part.value / total) * 100)}%)`}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/**
 * A health score over time (0-100), with the bands' cut-offs drawn behind it; days without a score
 * (insufficient data) break the line.
 */
export function ScoreLine({
  points,
  label,
  yellowFrom = 51,
  greenFrom = 76,
}: {
  points: Array<{ day: string; score: number | null }>;
  label: string;
  yellowFrom?: number;
  greenFrom?: number;
}) {
  const width = 640;
  const height = 180;
  const left = 28;
  const right = 8;
  const top = 8;
  const bottom = 22;
  const x = (i: number) => left + (i / Math.max(1, points.length - 1)) * (width - left - right);
  const y = (v: number) => top + ((100 - v) / 100) * (height - top - bottom);
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((p, i) => {
    if (p.score === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(p.score).toFixed(1)}`);
  });
  if (current.length) segments.push(current.join(' '));
  const ticks = points.length > 1 ? [0, Math.floor((points.length - 1) / 2), points.length - 1] : [0];
  const last = points.at(-1);
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <title>{label}</title>
      <rect
        class="zone zone-green"
        x={left}
        y={y(100)}
        width={width - left - right}
        height={y(greenFrom) - y(100)}
      />
      <rect
        class="zone zone-yellow"
        x={left}
        y={y(greenFrom)}
        width={width - left - right}
        height={y(yellowFrom) - y(greenFrom)}
      />
      <rect
        class="zone zone-red"
        x={left}
        y={y(yellowFrom)}
        width={width - left - right}
        height={y(0) - y(yellowFrom)}
      />
      {[0, yellowFrom, greenFrom, 100].map((v) => (
        <text key={v} class="tick" x={left - 4} y={y(v) + 4} text-anchor="end">
          {v}
        </text>
      ))}
      {segments.map((s) =>
        s.includes(' ') ? (
          <polyline key={s} class="line" points={s} />
        ) : (
          <circle key={s} class="dot" cx={s.split(',')[0]} cy={s.split(',')[1]} r="3" />
        ),
      )}
      {last && last.score !== null && (
        <circle class="dot" cx={x(points.length - 1)} cy={y(last.score)} r="4" />
      )}
      {ticks.map((i) => (
        <text
          key={i}
          class="tick"
          x={x(i)}
          y={height - 6}
          text-anchor={i === 0 ? 'start' : i === points.length - 1 ? 'end' : 'middle'}
        >
          {points[i]?.day ?? ''}
        </text>
      ))}
    </svg>
  );
}

/** One series of a `TimeChart`: bars (daily counts) or a line; `dashed` for a reference (seats). */
export interface Series {
  label: string;
  values: Array<number | null>;
  kind: 'bars' | 'line' | 'dashed';
  /** A CSS class for its colour (`tone-accent`, `tone-muted`...). */
  tone: string;
}

/**
 * Values over time on one axis from 0: bars for a daily count, lines for a rolling count or a
 * reference (a null value breaks a line), with the axis's top and middle written on it, the first,
 * middle and last labels below, and a legend naming each series with its latest value.
 */
export function TimeChart({
  labels,
  series,
  label,
  format = String,
}: {
  labels: string[];
  series: Series[];
  label: string;
  format?: (n: number) => string;
}) {
  const width = 640;
  const height = 190;
  const left = 36;
  const right = 8;
  const top = 10;
  const bottom = 22;
  const n = labels.length;
  const values = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  // Counts get an even top, so the axis's middle is a whole number too (11 people: 0, 6, 12, not 5.5).
  const counts = values.every(Number.isInteger);
  const highest = Math.max(1e-9, ...values);
  const max = counts ? 2 * Math.ceil(highest / 2) : highest;
  const slot = (width - left - right) / Math.max(1, n);
  const x = (i: number) => left + slot * (i + 0.5);
  const y = (v: number) => top + (1 - v / max) * (height - top - bottom);
  const ticks = n > 1 ? [0, Math.floor((n - 1) / 2), n - 1] : [0];
  return (
    <figure class="time-chart">
      <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <title>{label}</title>
        {[0, max / 2, max].map((v) => (
          <g key={v}>
            <line class="grid" x1={left} x2={width - right} y1={y(v)} y2={y(v)} />
            <text class="tick" x={left - 4} y={y(v) + 4} text-anchor="end">
              {format(v)}
            </text>
          </g>
        ))}
        {series.map((s) =>
          s.kind === 'bars' ? (
            <g key={s.label} class={s.tone}>
              {s.values.map((v, i) =>
                v === null || v === 0 ? null : (
                  <rect
                    key={labels[i]}
                    class="bar"
                    x={x(i) - slot * 0.4}
                    y={y(v)}
                    width={slot * 0.8}
                    height={y(0) - y(v)}
                  />
                ),
              )}
            </g>
          ) : (
            <polyline
              key={s.label}
              class={`series ${s.kind} ${s.tone}`}
              points={s.values
                .flatMap((v, i) => (v === null ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`]))
                .join(' ')}
            />
          ),
        )}
        {ticks.map((i) => (
          <text
            key={i}
            class="tick"
            x={x(i)}
            y={height - 6}
            text-anchor={i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'}
          >
            {labels[i] ?? ''}
          </text>
        ))}
      </svg>
      <figcaption>
        <ul class="legend">
          {series.map((s) => {
            const last = s.values.at(-1);
            return (
              <li key={s.label}>
                <span class={`swatch ${s.tone} ${s.kind}`} aria-hidden="true" />
                {s.label}
                {last !== null && last !== undefined && (
                  <>
                    : <strong>{format(last)}</strong>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      </figcaption>
    </figure>
  );
}
