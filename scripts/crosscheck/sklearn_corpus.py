#!/usr/bin/python3
"""Dev-only cross-check (not a project dependency): prints scikit-learn's cleaned corpus as JSON
Lines in newsgroup-cluster's corpus order, so it can be diffed against `newsgroup-cluster corpus`.

Usage (Debian: apt-get install python3-sklearn):
  /usr/bin/python3 scripts/crosscheck/sklearn_corpus.py ARCHIVE [--remove headers,footers,quotes] > sk.jsonl
  node dist/cli.js corpus --categories all --data ARCHIVE > ours.jsonl
  cmp sk.jsonl ours.jsonl

scikit-learn downloads the archive from its official URL and checks the official sha256; here the
download is pointed at the local ARCHIVE (a file:// URL) with that file's own sha256, so
fetch_20newsgroups runs its own, unmodified extraction, decoding and cleaning code.
"""
import argparse
import hashlib
import json
import os
import pathlib
import tempfile

import sklearn.datasets._twenty_newsgroups as tn
from sklearn.datasets._base import RemoteFileMetadata

ap = argparse.ArgumentParser()
ap.add_argument("archive")
ap.add_argument("--remove", default="headers,footers,quotes")
args = ap.parse_args()

archive = os.path.abspath(args.archive)
sha = hashlib.sha256(open(archive, "rb").read()).hexdigest()
tn.ARCHIVE = RemoteFileMetadata(filename="20news-bydate.tar.gz", url=pathlib.Path(archive).as_uri(), checksum=sha)
remove = tuple(p for p in args.remove.split(",") if p and p != "none")

with tempfile.TemporaryDirectory() as home:
    data = tn.fetch_20newsgroups(data_home=home, subset="all", remove=remove, shuffle=False)

rows = []
for path, text in zip(data.filenames, data.data):
    parts = path.split(os.sep)
    split = "train" if parts[-3] == "20news-bydate-train" else "test"
    rows.append(({"train": 0, "test": 1}[split], parts[-2], int(parts[-1]), split, parts[-1], text))
rows.sort(key=lambda r: r[:3])
for _, group, _, split, pid, text in rows:
    print(json.dumps({"split": split, "group": group, "id": pid, "text": text}, ensure_ascii=False, separators=(",", ":")))
