"""Writes `offchain-worker/tests/judge_features.json`: texts that exercise every rule of the judge's
cheap features, with the features Python computes (float32). `src/judge.rs`'s test checks the
engine computes the same. Run after changing either side:
    python3 offchain-worker/python/judge_golden.py"""

import json
import os
import struct

from judge_features import hand

CASES = [
    ("Who wrote Hamlet?", "William Shakespeare."),
    ("Who wrote Hamlet, the play?", "**Shakespeare** wrote it.\n\n- yes\nAs an AI, I agree."),
    ("List three fruits", "1. Apple\n2) Banana\n  3. Cherry\n1234. not an item\n-not an item\n* Kiwi\n\u2022 Plum"),
    ("Write code", "Here:\n```python\nprint('hi')\n```"),
    ("Explain \u00e9t\u00e9 and na\u00efve", "# Title\n## Sub\nThe word \u00c9T\u00c9 is French; NA\u00cfVE too.\t\u3000end"),
    ("", ""),
    ("q", "   \n\t\r\n"),
    ("Tabs\tand\x0bvertical\x0cfeed", "word\x0bjoined\x0cseparate\r\nI can't help; I'M SORRY (really)"),
    ("What is 2+2?", "It is 4\u2026"),
    ("Repeat", "same same same SAME Same. \"same\""),
    ("Emoji \U0001F600 query words", "\U0001F600\U0001F600 query WORDS! emoji"),
    ("x", "****bold**** and ** lone"),
]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def main():
    out = [{"query": q, "response": r, "features": [f32(x) for x in hand(q, r)]} for q, r in CASES]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "judge_features.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=True)
        f.write("\n")


if __name__ == "__main__":
    main()
