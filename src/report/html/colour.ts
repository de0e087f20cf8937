/** The report's colours: the clusters' palette and the heatmap's ramp. Pure. */

/** Tableau 10; clusters beyond it get hues spaced by the golden angle. */
const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];

/** Colour of the cluster in table column `j`. */
export function clusterColor(j: number): string {
  return PALETTE[j] ?? `hsl(${Math.round((j * 137.508) % 360)} 55% 52%)`;
}

/** Stops of the heatmap's sequential blue ramp (ColorBrewer "Blues"), share 0 to 1. */
const HEAT: [number, number, number][] = [
  [246, 249, 252],
  [198, 219, 239],
  [107, 174, 214],
  [33, 113, 181],
  [8, 48, 107],
];

function heatRgb(share: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, share)) * (HEAT.length - 1);
  const i = Math.min(HEAT.length - 2, Math.floor(x));
  const f = x - i;
  const a = HEAT[i] as [number, number, number];
  const b = HEAT[i + 1] as [number, number, number];
  return [0, 1, 2].map((t) =>
    Math.round((a[t] as number) + ((b[t] as number) - (a[t] as number)) * f),
  ) as [number, number, number];
}

/** Background of a heatmap cell of this row share. */
export function heat(share: number): string {
  return `#${heatRgb(share)
    .map((v) => v.toString(16).padStart(2, "0"))
    .join("")}`;
}

/** Text colour on `heat(share)`: white or ink, whichever contrasts more (WCAG luminance). */
export function heatInk(share: number): string {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = heatRgb(share);
  const bg = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  const ink = 0.017; // luminance of #1c2430
  return 1.05 / (bg + 0.05) > (bg + 0.05) / (ink + 0.05) ? "#fff" : "#1c2430";
}
