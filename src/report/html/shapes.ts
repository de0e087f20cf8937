/** The newsgroups' SVG marker shapes, as path data. Pure. */
import { assertUnreachable } from "../../errors.js";
import { num } from "./text.js";

/** Marker shapes of the newsgroups, in order; they repeat after the last. */
export const SHAPES = [
  "circle",
  "square",
  "triangle",
  "diamond",
  "triangle-down",
  "plus",
  "triangle-right",
  "triangle-left",
] as const;
export type Shape = (typeof SHAPES)[number];

/** The relative path (after `M cx cy`) of a marker of about radius r. */
export function shapePath(shape: Shape, r: number): string {
  const f = (x: number) => num(x);
  switch (shape) {
    case "circle":
      return `m${f(-r)} 0a${f(r)} ${f(r)} 0 1 0 ${f(2 * r)} 0a${f(r)} ${f(r)} 0 1 0 ${f(-2 * r)} 0z`;
    case "square": {
      const a = 0.88 * r;
      return `m${f(-a)} ${f(-a)}h${f(2 * a)}v${f(2 * a)}h${f(-2 * a)}z`;
    }
    case "triangle":
      return `m0 ${f(-1.3 * r)}l${f(1.15 * r)} ${f(2 * r)}h${f(-2.3 * r)}z`;
    case "triangle-down":
      return `m0 ${f(1.3 * r)}l${f(1.15 * r)} ${f(-2 * r)}h${f(-2.3 * r)}z`;
    case "triangle-right":
      return `m${f(1.3 * r)} 0l${f(-2 * r)} ${f(1.15 * r)}v${f(-2.3 * r)}z`;
    case "triangle-left":
      return `m${f(-1.3 * r)} 0l${f(2 * r)} ${f(1.15 * r)}v${f(-2.3 * r)}z`;
    case "diamond": {
      const a = 1.25 * r;
      return `m0 ${f(-a)}l${f(a)} ${f(a)} ${f(-a)} ${f(a)} ${f(-a)} ${f(-a)}z`;
    }
    case "plus": {
      const w = 0.42 * r;
      const l = 1.2 * r - w;
      return (
        `m${f(-w)} ${f(-w - l)}h${f(2 * w)}v${f(l)}h${f(l)}v${f(2 * w)}h${f(-l)}v${f(l)}` +
        `h${f(-2 * w)}v${f(-l)}h${f(-l)}v${f(-2 * w)}h${f(l)}z`
      );
    }
    default:
      return assertUnreachable(shape);
  }
}

/** A small grey marker of newsgroup i's shape, for legends. */
export function shapeIcon(i: number): string {
  const shape = SHAPES[i % SHAPES.length] as Shape;
  return `<svg viewBox="0 0 14 14" width="14" height="14" aria-hidden="true"><path d="M7 7${shapePath(shape, 4.2)}"/></svg>`;
}
