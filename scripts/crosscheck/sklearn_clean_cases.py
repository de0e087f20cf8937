#!/usr/bin/python3
"""Dev-only: writes test/fixtures/clean-cases.json, the expected output of scikit-learn's own
strip_newsgroup_header / _footer / _quoting on hand-made edge cases.

  /usr/bin/python3 scripts/crosscheck/sklearn_clean_cases.py > test/fixtures/clean-cases.json
"""
import json
import random

from sklearn.datasets._twenty_newsgroups import (
    strip_newsgroup_footer,
    strip_newsgroup_header,
    strip_newsgroup_quoting,
)

cases = {
    "empty": "",
    "no blank line": "From: a@b\nSubject: hi\nbody without blank line",
    "only headers then blank": "From: a@b\nSubject: x\n\n",
    "two blank lines": "H: 1\n\n\nbody\n",
    "crlf line ends": "From: a\r\nSubject: b\r\n\r\nbody line\r\n\r\n--\r\nsig\r\n",
    "crlf mixed": "From: a\n\nline one\r\n\r\nline two\r\n-- \r\nJohn\r\n",
    "signature dashes": "H: 1\n\nSome text.\nMore text.\n--\nJohn Doe\njohn@example.com\n",
    "signature dash-space": "H: 1\n\nText\n-- \nSig line\n",
    "blank at very start only": "\nonly one line after blank",
    "footer only blank first": "\n\nbody",
    "footer no blank": "line1\nline2\nline3",
    "footer trailing whitespace": "line1\n\nline2\n   \n\t\n",
    "footer dashes line": "a\nb\n-----\nc",
    "footer with python-only whitespace": "a\n\x1c\x1d\nb\n\x85\n",
    "footer nbsp": "a\n\xa0\nb",
    "footer leading ws text": "   \n  \nabc\n",
    "quote markers": "> quoted\nnormal\n| piped\nIn article <x> someone\nQuoted from y\nHe writes: hi\nShe wrote: yo\nsays: a\nsaid: b\nwrites in c\n  > indented quote\nkeep In article mid-line\nkeep Quoted from mid-line\n",
    "only quoted lines": "> a\n> b\n>c",
    "mid-line said": "the president said: nothing\nfine\n",
    "latin1 bytes": "H: 1\n\ncaf\xe9 na\xefve \xa9 \xff\n--\nsig \xe8\n",
    "only signature": "H: 1\n\n--\nJohn\n",
    "vertical tab and formfeed": "a\n\x0b\x0c\nb\x0c\n",
    "unicode spaces": "a\n\u2003\u3000\nb",
    "zwnbsp not space": "a\n\ufeff\nb",
}

rng = random.Random(20261126)
alphabet = ["a", "b", " ", "\n", "\r", "\t", "-", ">", "|", "\x85", "\xa0", "\x1c", "\xe9", "writes:", "In article", "said:", "\n\n", "--"]
for i in range(60):
    cases[f"random {i}"] = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))

out = []
for name, text in cases.items():
    h = strip_newsgroup_header(text)
    out.append({
        "name": name,
        "input": text,
        "header": h,
        "footer": strip_newsgroup_footer(text),
        "quoting": strip_newsgroup_quoting(text),
        "all": strip_newsgroup_quoting(strip_newsgroup_footer(h)),
    })
print(json.dumps(out, indent=1, ensure_ascii=True))
