#!/usr/bin/env bash
# Point 5 of "Your own data": 100,000 synthetic posts as JSON Lines (and CSV) through
# --embedder tfidf, and through --embeddings with a 100,000 x 384 float32 .npy. Prints wall time
# and peak RSS from /usr/bin/time -v. Needs a built dist/ (npm run build). Not part of the tests.
#   scripts/scale/input-scale.sh [work dir]   (default: a fresh temporary dir, removed at the end)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
[ -n "${1:-}" ] || trap 'rm -rf "$work"' EXIT
cd "$work"
node --input-type=module - "$root" <<'JS'
import { createWriteStream, writeFileSync } from "node:fs";
const root = process.argv[2];
const n = 100_000;
let s = 12345;
const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648), s / 2147483648);
const topics = Array.from({ length: 10 }, (_, t) => Array.from({ length: 200 }, (_, w) => `t${t}w${w}`));
const common = Array.from({ length: 500 }, (_, w) => `c${w}`);
const jsonl = createWriteStream("posts.jsonl");
const csv = createWriteStream("posts.csv");
csv.write("id,text\r\n");
for (let i = 0; i < n; i++) {
  const pool = (t) => (rnd() < 0.6 ? topics[t] : common);
  const words = Array.from({ length: 80 }, () => { const p = pool(i % 10); return p[Math.floor(rnd() * p.length)]; });
  const text = words.join(" ");
  if (!jsonl.write(`${JSON.stringify({ id: String(i), text })}\n`)) await new Promise((r) => jsonl.once("drain", r));
  if (!csv.write(`${i},"${text}"\r\n`)) await new Promise((r) => csv.once("drain", r));
}
jsonl.end();
csv.end();
const dims = 384;
const data = new Float32Array(n * dims);
for (let i = 0; i < n; i++)
  for (let d = 0; d < dims; d++) data[i * dims + d] = (d % 10 === i % 10 ? 1 : 0) + 0.3 * (rnd() - 0.5);
const { encodeNpy } = await import(`${root}/dist/embed/npy.js`);
writeFileSync("v.npy", encodeNpy({ rows: n, dims, data }));
JS
run() {
  echo "== $*"
  /usr/bin/time -v node "$root/dist/cli.js" "$@" --format json 2>time.txt |
    node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log("timings",JSON.stringify(JSON.parse(s).timings)))'
  grep -E "Elapsed|Maximum resident" time.txt
}
run --input posts.jsonl --embedder tfidf --k 10 --n-init 3 --top-terms 5
run --input posts.jsonl --embeddings v.npy --k 10 --n-init 3 --top-terms 5 --silhouette
run --input posts.csv --embeddings v.npy --k 10 --n-init 1 --top-terms 0
