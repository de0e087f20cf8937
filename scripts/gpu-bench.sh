#!/usr/bin/env bash
# One prepared command for a GPU machine: the same benchmark as `npm run bench`, with the
# embedder on onnxruntime's CUDA execution provider when it can be loaded, and a plain
# statement of why when it cannot.
#
#   bash scripts/gpu-bench.sh [--limit N]
#
# Needs: node_modules, dist/ and the benchmark's build (npm ci && npm run bench:build), ../shared (or NEWSGROUP_CLUSTER_SHARED),
# and onnxruntime's CUDA provider libraries, which npm does not ship:
#   ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js
# (downloads them from NuGet; a machine without internet needs them copied into
#  node_modules/onnxruntime-node/bin/napi-v6/linux/x64/).
set -uo pipefail
cd "$(dirname "$0")/.."
echo "== GPU"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not found or no GPU"
bin=node_modules/onnxruntime-node/bin/napi-v6/linux/x64
echo "== onnxruntime CUDA provider libraries in $bin"
ls "$bin" | grep -E 'providers_(cuda|shared)' || echo "missing: libonnxruntime_providers_cuda.so / libonnxruntime_providers_shared.so"
echo "== can the CLI load CUDA? (tiny model)"
shared=${NEWSGROUP_CLUSTER_SHARED:-../shared}
probe=$(node dist/cli.js --device cuda --no-cache --quiet --format csv --k 2 --categories sci.space --subset test \
  --data "$shared/data/20news-bydate.tar.gz" --models "$shared/models" --model tiny-random-bert 2>&1 >/dev/null)
status=$?
if [ $status -ne 0 ]; then
  echo "CUDA execution provider NOT usable (exit $status): $probe"
  echo "== running the CPU benchmark instead, for comparison on this machine"
  exec node build/bench/scripts/bench/bench.js "$@"
fi
echo "CUDA execution provider loads."
echo "== benchmark on CUDA (fp32 and fp16; the naive baseline stays on the CPU)"
exec node build/bench/scripts/bench/bench.js --device cuda --only naive,fp32,fp16,cli "$@"
