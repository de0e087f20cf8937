#!/usr/bin/python3
"""Reference values for test/evaluate/metrics.test.ts, computed with scikit-learn and scipy.

Dev-only; the tests do not run it. Run with the system Python that has scikit-learn 1.2.1,
numpy and scipy (not a pyenv without them):

    /usr/bin/python3 scripts/crosscheck/sklearn_metrics.py

It prints every fixture (label vectors, matrices, data) and the expected values with full
precision (Python's repr round-trips float64), ready to paste into the test as literals.
"""

import json

import numpy as np
import scipy
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import (
    adjusted_rand_score,
    homogeneity_completeness_v_measure,
    mutual_info_score,
    normalized_mutual_info_score,
    silhouette_score,
)
from sklearn.metrics.cluster import contingency_matrix


def lst(a):
    return json.dumps(np.asarray(a).tolist())


def labels_from_counts(counts):
    """Label vectors whose contingency table is `counts` (rows = classes, cols = clusters)."""
    counts = np.asarray(counts)
    k, c = counts.shape
    truth = np.repeat(np.repeat(np.arange(k), c), counts.ravel())
    pred = np.repeat(np.tile(np.arange(c), k), counts.ravel())
    return truth, pred


def scores(truth, pred):
    cm = contingency_matrix(truth, pred)
    h, c, v = homogeneity_completeness_v_measure(truth, pred)
    r, col = linear_sum_assignment(cm, maximize=True)
    return {
        "ari": adjusted_rand_score(truth, pred),
        "nmi": normalized_mutual_info_score(truth, pred),
        "homogeneity": h,
        "completeness": c,
        "v_measure": v,
        "purity": cm.max(axis=0).sum() / cm.sum(),
        "accuracy": cm[r, col].sum() / cm.sum(),
        "mi": mutual_info_score(truth, pred),
    }


def show_scores(name, truth, pred, print_labels=True):
    print(f"--- {name}")
    if print_labels:
        print(f"truth: {lst(truth)}")
        print(f"pred:  {lst(pred)}")
    print(f"contingency: {lst(contingency_matrix(truth, pred))}")
    for key, val in scores(truth, pred).items():
        print(f"  {key}: {float(val)!r}")


print(f"sklearn {sklearn.__version__}, scipy {scipy.__version__}, numpy {np.__version__}")

print("\n=== (a) reference notebook, k = 4")
notebook = [[47, 4, 357, 391], [101, 816, 56, 0], [812, 27, 144, 4], [41, 0, 238, 349]]
t, p = labels_from_counts(notebook)
show_scores("notebook", t, p, print_labels=False)

print("\n=== (b) label vectors")
show_scores("one cluster", [0, 0, 0, 1, 1, 2, 2, 2], [0] * 8)
show_scores("both single", [0] * 5, [0] * 5)
show_scores("single class", [0] * 6, [0, 1, 1, 2, 2, 2])
show_scores("all singletons", [0, 0, 1, 1, 2, 2], [0, 1, 2, 3, 4, 5])
show_scores("both singletons", [0, 1, 2, 3], [0, 1, 2, 3])
show_scores("permuted perfect", [0, 0, 1, 1, 1, 2, 2, 3], [2, 2, 0, 0, 0, 3, 3, 1])
show_scores("discordant", [0, 0, 1, 1], [0, 1, 0, 1])
rng = np.random.default_rng(0)
show_scores("random 3x5", rng.integers(0, 3, 40), rng.integers(0, 5, 40))
big = rng.integers(0, 900, (6, 8)) * rng.integers(0, 2, (6, 8))
t, p = labels_from_counts(big)
show_scores("big 6x8 counts (ARI pair counts beyond 2^53)", t, p, print_labels=False)

print("\n=== (c) linear_sum_assignment")
matrices = [
    ("square", [[4, 1, 3], [2, 0, 5], [3, 2, 2]], False),
    ("square max", [[4, 1, 3], [2, 0, 5], [3, 2, 2]], True),
    ("wide", [[0.5, 9.25, 3.0, 7.0], [1.5, 2.0, 0.25, 8.0], [6.0, 0.75, 4.0, 2.5]], False),
    ("tall", [[7.0, 2.0], [3.5, 8.0], [1.0, 1.25], [9.0, 0.5]], False),
    ("tall max", [[7.0, 2.0], [3.5, 8.0], [1.0, 1.25], [9.0, 0.5]], True),
    ("constant", [[1, 1, 1], [1, 1, 1], [1, 1, 1]], False),
    ("with inf", [[np.inf, 1, 2], [3, np.inf, 4], [5, 6, np.inf]], False),
    ("one row", [[5, -2, 7, -2.5]], False),
    ("notebook max", notebook, True),
]
for name, m, maximize in matrices:
    m = np.asarray(m, dtype=float)
    r, c = linear_sum_assignment(m, maximize=maximize)
    print(f"--- {name} maximize={maximize}")
    print(f"  rows {lst(r)} cols {lst(c)} total {float(m[r, c].sum())!r}")

print("\n=== (d) silhouette, metric='cosine'")
# Multiples of 1/8: exact in float32, so the TS Float32Array holds the same values.
X = (np.round(rng.normal(size=(12, 4)) * 8) / 8).astype(np.float32)
print(f"X (12 x 4): {lst(X)}")
for name, lab in [
    ("three clusters", [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]),
    ("with singleton", [3, 3, 3, 7, 7, 7, 7, 7, 1, 1, 1, 5]),
]:
    lab = np.asarray(lab)
    print(f"--- {name} labels {lst(lab)}")
    # float64 copy of the float32 values: sklearn keeps float32 inputs in float32.
    print(f"  float64: {float(silhouette_score(X.astype(np.float64), lab, metric='cosine'))!r}")
    print(f"  (float32 input: {float(silhouette_score(X, lab, metric='cosine'))!r})")
# A zero row: normalize() leaves it zero, so its cosine distance to every other row is 1.
X0 = X.astype(np.float64)
X0[5] = 0.0
lab = np.asarray([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
print(f"--- zero row 5, labels {lst(lab)}")
print(f"  float64: {float(silhouette_score(X0, lab, metric='cosine'))!r}")
# Larger than the 64-row tiles of the TS code, with dims not a multiple of 4.
i, d = np.meshgrid(np.arange(150), np.arange(7), indexing="ij")
XL = (((i * 37 + d * 11 + i * d) % 17) - 8) / 8.0
lab = (np.arange(150) * 7 // 3) % 5
print("--- formula 150 x 7: X[i][d] = (((37i + 11d + i*d) % 17) - 8) / 8, label = (7i // 3) % 5")
print(f"  float64: {float(silhouette_score(XL, lab, metric='cosine'))!r}")
