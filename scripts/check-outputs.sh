#!/usr/bin/env bash
# Runs the built CLI's main paths on the shared corpus and writes their outputs, with the run's
# timings removed, plus a sha256 list, into OUT_DIR. Run it before and after a change that must
# not alter any output, then `diff -r before after`.
#   usage: scripts/check-outputs.sh OUT_DIR      (needs `npm run build` and ../shared)
set -euo pipefail
out=${1:?usage: scripts/check-outputs.sh OUT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${NEWSGROUP_CLUSTER_SHARED:-$root/../shared}
data=$shared/data/20news-bydate.tar.gz
models=$shared/models
cli=(node "$root/dist/cli.js")
mkdir -p "$out"
out=$(cd "$out" && pwd)
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT

tiny=(--data "$data" --cache-dir "$cache" --models "$models" --model tiny-random-bert --quiet)
tfidf=(--data "$data" --cache-dir "$cache" --embedder tfidf --quiet)

# JSON and HTML carry wall-clock timings: drop them, keep everything else byte for byte.
strip_json() { node -e 'const d=JSON.parse(require("fs").readFileSync(0,"utf8"));delete d.timings;process.stdout.write(JSON.stringify(d,null,2)+"\n")'; }
strip_html() { node -e 'const s=require("fs").readFileSync(0,"latin1");process.stdout.write(s.replace(/<h3>Timings<\/h3>.*?<\/div><\/div><\/section>/s,"<h3>Timings</h3>[stripped]"),"latin1")'; }

for name in tiny tfidf; do
  declare -n args=$name
  "${cli[@]}" "${args[@]}" --k 4 > "$out/$name-table.txt"
  "${cli[@]}" "${args[@]}" --k 4 --format csv > "$out/$name.csv"
  "${cli[@]}" "${args[@]}" --k 4 --format json | strip_json > "$out/$name.json"
  "${cli[@]}" "${args[@]}" --k 4 --format csv --no-cache \
    --assignments "$out/$name-assignments.csv" --save-embeddings "$out/$name-embeddings.npy" \
    --report "$cache/$name-report.html" > /dev/null
  strip_html < "$cache/$name-report.html" > "$out/$name-report.html"
  "${cli[@]}" "${args[@]}" --k 5 --format json --assignments "$out/$name-assignments.jsonl" \
    | strip_json > "$out/$name-k5.json"
  unset -n args
done
"${cli[@]}" "${tfidf[@]}" --categories all --k 20 --format csv --order raw \
  --assignments "$out/tfidf-all-assignments.csv" > "$out/tfidf-all.csv"
"${cli[@]}" corpus --data "$data" --cache-dir "$cache" > "$out/corpus.jsonl"
"${cli[@]}" corpus --data "$data" --cache-dir "$cache" --remove none --subset test \
  --categories sci.space > "$out/corpus-raw-space.jsonl"

(cd "$out" && sha256sum -- $(ls | grep -v '^SHA256SUMS$') > SHA256SUMS)
cat "$out/SHA256SUMS"
