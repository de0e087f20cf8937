#!/usr/bin/python3
"""Dev-only cross-check (not run by the tests): scikit-learn's LSA + k-means on a corpus, to
compare with newsgroup-cluster's `tfidf-lsa` embedder (scripts/crosscheck/tfidf_ours.mjs).

Pipeline, as scikit-learn's "Clustering text documents using k-means" example:
TfidfVectorizer(stop_words="english", max_df=0.5, min_df=5) -> TruncatedSVD(100,
random_state=seed) -> Normalizer(copy=False) -> KMeans(k, n_init=1, random_state=seed), for
each seed; prints ARI and V-measure against the newsgroups, then their means.

Usage (the system Python, which has scikit-learn 1.2.1):
  node dist/cli.js corpus --data ARCHIVE > posts.jsonl
  /usr/bin/python3 scripts/crosscheck/sklearn_tfidf.py posts.jsonl [--k 4] [--seeds 1,2,3,4,5]
"""
import argparse
import json
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, v_measure_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

ap = argparse.ArgumentParser()
ap.add_argument("jsonl", help='JSON Lines, one {"group": ..., "text": ...} per post')
ap.add_argument("--k", type=int, default=4)
ap.add_argument("--seeds", default="1,2,3,4,5")
ap.add_argument("--n-init", type=int, default=1)
args = ap.parse_args()

posts = [json.loads(line) for line in open(args.jsonl, encoding="utf-8")]
texts = [p["text"] for p in posts]
groups = sorted({p["group"] for p in posts})
truth = np.array([groups.index(p["group"]) for p in posts])

t0 = time.perf_counter()
X = TfidfVectorizer(stop_words="english", max_df=0.5, min_df=5).fit_transform(texts)
print(f"posts {X.shape[0]}  terms {X.shape[1]}  nnz {X.nnz}  tf-idf {time.perf_counter() - t0:.2f}s")

aris, vms = [], []
for seed in [int(s) for s in args.seeds.split(",")]:
    t0 = time.perf_counter()
    lsa = make_pipeline(TruncatedSVD(n_components=100, random_state=seed), Normalizer(copy=False))
    emb = lsa.fit_transform(X)
    t_svd = time.perf_counter() - t0
    km = KMeans(n_clusters=args.k, n_init=args.n_init, random_state=seed).fit(emb)
    ari = adjusted_rand_score(truth, km.labels_)
    vm = v_measure_score(truth, km.labels_)
    aris.append(ari)
    vms.append(vm)
    print(f"seed {seed}  ARI {ari:.4f}  V-measure {vm:.4f}  (svd {t_svd:.2f}s)")
print(f"mean    ARI {np.mean(aris):.4f}  V-measure {np.mean(vms):.4f}")
