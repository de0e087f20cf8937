#!/usr/bin/python3
"""scikit-learn's k-means on the tool's own vectors: the reference for `npm run bench:kmeans`.

Dev-only; Python is not a project dependency. Run with the system Python that has
scikit-learn (Debian: `apt-get install python3-sklearn`), not a pyenv without it:

    /usr/bin/python3 scripts/crosscheck/sklearn_kmeans.py vectors.npy [--k 20] [--n-init 10]
        [--repeats 3] [--seed 0]

`vectors.npy` is what `--save-embeddings` writes (float32, rows x dims). For each repeat it
times `KMeans(n_clusters=k, n_init=n_init, algorithm="lloyd", random_state=seed).fit(X)` and
prints one JSON object per line on stdout: seconds (wall), cpu_seconds (all threads), inertia,
n_iter, and the library versions.
"""

import argparse
import json
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans


def main():
    p = argparse.ArgumentParser()
    p.add_argument("npy")
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--n-init", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    x = np.load(a.npy)
    for r in range(a.repeats):
        km = KMeans(n_clusters=a.k, n_init=a.n_init, algorithm="lloyd", random_state=a.seed + r)
        t0 = time.perf_counter()
        c0 = time.process_time()
        km.fit(x)
        dt = time.perf_counter() - t0
        cpu = time.process_time() - c0
        # Inertia recomputed in float64 from the labels and centres it returned.
        x64 = x.astype(np.float64)
        c64 = km.cluster_centers_.astype(np.float64)
        inertia = float(((x64 - c64[km.labels_]) ** 2).sum())
        print(
            json.dumps(
                {
                    "file": a.npy,
                    "rows": int(x.shape[0]),
                    "dims": int(x.shape[1]),
                    "dtype": str(x.dtype),
                    "k": a.k,
                    "n_init": a.n_init,
                    "seconds": dt,
                    "cpu_seconds": cpu,
                    "inertia": inertia,
                    "n_iter": int(km.n_iter_),
                    "sklearn": sklearn.__version__,
                    "numpy": np.__version__,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
