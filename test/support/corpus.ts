/**
 * A synthetic corpus in the exact 20news-bydate layout (`20news-bydate-{train,test}/<group>/<id>`,
 * raw latin-1 bytes per post) for the four default groups, small enough to build in
 * milliseconds and deterministic to the byte. Each group writes about its own topic words over a
 * shared filler, so TF-IDF or an embedding can separate the groups. The posts exercise what the
 * cleaning must handle: headers, quoted replies ("In article ... writes:" and "> " lines),
 * signatures after "-- ", latin-1 bytes, a CR byte, markup characters, a post whose body is
 * empty and one with no blank line at all (hence no body).
 */
import { writeFileSync } from "node:fs";
import { packTarGz } from "../helpers.js";
import { mulberry32 } from "./random.js";

const words = (s: string): readonly string[] => s.split(" ");

/** The groups of the synthetic corpus (the tool's four default groups), their topic words. */
export const TOPICS: Record<string, readonly string[]> = {
  "alt.atheism": words(
    "atheism atheist belief evidence argument moral morality religion god faith truth question",
  ),
  "comp.graphics": words(
    "graphics image images file files format jpeg gif pixel color render polygon program software display screen driver ftp viewer",
  ),
  "sci.space": words(
    "space orbit launch nasa shuttle moon mars satellite rocket mission earth station solar lunar planet telescope probe fuel",
  ),
  "talk.religion.misc": words(
    "koresh cult waco sin heaven spirit lord christ temple prophet jesus bible christian church scripture prayer",
  ),
};

/** Words every group uses. */
export const FILLER: readonly string[] = words(
  "the a of and to in is it that for on with as this not are be i you we they was have has do does what why how but or if so no yes all about from by there think know say people believe point read really",
);

/** Posts per group and split: different everywhere, so a count names its group and split. */
export const FIXTURE_COUNTS: Record<string, { train: number; test: number }> = {
  "alt.atheism": { train: 24, test: 16 },
  "comp.graphics": { train: 30, test: 20 },
  "sci.space": { train: 33, test: 21 },
  "talk.religion.misc": { train: 18, test: 12 },
};

/** The groups in name order (the table's row order). */
export const FIXTURE_GROUPS = Object.keys(FIXTURE_COUNTS).sort();

/** Posts of a group over both splits. */
export const groupTotal = (g: string): number =>
  (FIXTURE_COUNTS[g]?.train ?? 0) + (FIXTURE_COUNTS[g]?.test ?? 0);

/** All posts of a split (or both). */
export function fixtureTotal(subset: "train" | "test" | "all" = "all"): number {
  return FIXTURE_GROUPS.reduce((s, g) => {
    const c = FIXTURE_COUNTS[g] ?? { train: 0, test: 0 };
    return s + (subset === "all" ? c.train + c.test : c[subset]);
  }, 0);
}

/** First post id of each group; ids step by 3, so alt.atheism's cross from 3 to 4 digits. */
const FIRST_ID: Record<string, number> = {
  "alt.atheism": 950,
  "comp.graphics": 37_900,
  "sci.space": 59_800,
  "talk.religion.misc": 83_500,
};

/** A seeded stream of floats in [0, n) for word choice. */
function stream(seed: number): (n: number) => number {
  const next = mulberry32(seed);
  return (n) => next() * n;
}

/** One sentence: topic words mixed into filler. */
function sentence(pick: (n: number) => number, topic: readonly string[], words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const list = pick(1) < 0.45 ? topic : FILLER;
    out.push(list[Math.floor(pick(list.length))] as string);
  }
  return `${out.join(" ")}.`;
}

/**
 * The raw bytes of one post, as a latin-1 string. `n` is its index inside its group and split;
 * the kind of post cycles with it so that every group and split has each kind.
 */
function post(group: string, split: string, n: number, id: number): string {
  const pick = stream(id * 31 + (split === "test" ? 7 : 0));
  const topic = TOPICS[group] as readonly string[];
  const subject = sentence(pick, topic, 3).slice(0, -1);
  const head = [
    `From: user${id}@site${n % 5}.edu (User ${id})`,
    `Subject: ${n % 3 === 0 ? "Re: " : ""}${subject}`,
    `Organization: University ${n % 4}`,
    `Lines: ${4 + (n % 9)}`,
  ];
  if (n === 1) return `${head.join("\n")}\n`; // no blank line: scikit-learn keeps no body
  if (n === 2) return `${head.join("\n")}\n\n`; // an empty body
  const body: string[] = [];
  if (n % 4 === 0) {
    body.push(`In article <${id}@site.edu>, other${n}@site.edu (Other) writes:`);
    body.push(`> ${sentence(pick, topic, 8)}`, `>${sentence(pick, FILLER, 5)}`, "");
  }
  if (n === 3) body.push('Re: <b>markup</b> & "quotes" in a first line');
  // Every sixth post runs past 256 word pieces (and 2,540 characters), so truncation matters.
  const paragraphs = n % 6 === 4 ? 12 + (n % 5) : 1 + (n % 3);
  for (let p = 0; p < paragraphs; p++) {
    const lines = 2 + Math.floor(pick(4));
    for (let l = 0; l < lines; l++) body.push(sentence(pick, topic, 6 + Math.floor(pick(10))));
    body.push("");
  }
  if (n === 5) body.push("caf\xe9 na\xefve \xc5ngstr\xf6m r\xe9sum\xe9 \xa0 100\xb0 \xa9 1993");
  if (n === 6) body.push("a line ending in CR\r");
  if (n % 5 === 0) body.push("-- ", `User ${id}  |  user${id}@site.edu`, "University of Fixtures");
  return `${head.join("\n")}\n\n${body.join("\n")}\n`;
}

/** Every post of the synthetic corpus: {archive path: latin-1 bytes}, in archive name order. */
export function fixtureCorpusFiles(): Record<string, string> {
  const files: [string, string][] = [];
  for (const split of ["train", "test"] as const) {
    for (const group of FIXTURE_GROUPS) {
      const count = FIXTURE_COUNTS[group]?.[split] ?? 0;
      const first = (FIRST_ID[group] ?? 0) + (split === "test" ? 3 * 40 : 0);
      for (let n = 0; n < count; n++) {
        const id = first + 3 * n;
        files.push([`20news-bydate-${split}/${group}/${id}`, post(group, split, n, id)]);
      }
    }
  }
  files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(files);
}

/** Writes the synthetic corpus as a gzipped tar to `file`. */
export async function writeFixtureArchive(file: string): Promise<void> {
  writeFileSync(file, await packTarGz(fixtureCorpusFiles()));
}

/**
 * A large corpus in the same layout for tests that must interrupt a slow load: `perSplit` posts
 * per group and split of the four groups (about 1.3 s per 10,000 posts to read and clean on an
 * idle machine). Written as a gzipped tar to `file`.
 */
export async function writeLargeArchive(file: string, perSplit: number): Promise<void> {
  const files: Record<string, string> = {};
  for (const split of ["train", "test"] as const) {
    for (const group of FIXTURE_GROUPS) {
      const first = (FIRST_ID[group] ?? 0) * 10 + (split === "test" ? 5 * perSplit : 0);
      for (let n = 0; n < perSplit; n++) {
        const id = first + n;
        files[`20news-bydate-${split}/${group}/${id}`] = post(group, split, 7 + (n % 60), id);
      }
    }
  }
  writeFileSync(file, await packTarGz(files));
}
