"""Golden scores: the semantic and alignment scores of a few fixed tasks computed independently
with Python onnxruntime (same model files, tokenizer, pooling and NLI head as the Rust engine).
The Rust tests (`offchain-worker/tests/engine.rs`) check the engine against the recorded file.

    python golden.py > ../tests/golden.json
"""
import json
import os

import numpy as np

import common

TASKS = [
    {"family": "qa", "query": "What is the capital of France?", "reference": "Paris is the capital of France.",
     "outputs": ["The capital of France is Paris.", "Bananas are rich in potassium.", "I think it is Lyon."]},
    {"family": "summarization",
     "query": "Summarize: The city council voted on Tuesday to expand the bike lane network by 40 kilometres over three years, citing safety data and rising cycling numbers.",
     "reference": None,
     "outputs": ["The council approved 40 km of new bike lanes over three years for safety reasons.",
                 "Council expands bike lanes by 40 km, citing safety and more cyclists.",
                 "The weather on Tuesday was sunny and warm."]},
    {"family": "code", "query": "Write a Python function that returns the square of a number.", "reference": None,
     "outputs": ["def square(x):\n    return x * x"]},
]


def main():
    d = common.models_dir()
    tok = common.load_tokenizer(os.path.join(d, "embedding.tokenizer.json"))
    sess = common.session(os.path.join(d, "embedding.onnx"))
    w, b, _ = common.load_head(os.path.join(d, "nli-head.json"))
    out = []
    for t in TASKS:
        texts = [t["query"]] + ([t["reference"]] if t["reference"] else []) + t["outputs"]
        e = common.embed(sess, tok, texts, batch=1)
        q = e[0]
        ref = e[1] if t["reference"] else None
        outs = e[len(texts) - len(t["outputs"]):]
        premise = ref if ref is not None else q
        scores = []
        for i, o in enumerate(outs):
            if ref is not None:
                sem = float(o @ ref)
            else:
                others = [outs[j] for j in range(len(outs)) if j != i]
                if others:
                    c = np.sum(others, axis=0)
                    c = c / np.linalg.norm(c)
                    sem = float(o @ c)
                else:
                    sem = float(o @ q)
            p = common.head_probs(w, b, premise[None, :], o[None, :])[0]
            nli = float((1 + p[0] - p[2]) / 2)
            align = 0.5 * nli + 0.5 * max(0.0, float(o @ q))
            scores.append({"semantic": round(min(max(sem, 0.0), 1.0), 6), "alignment": round(min(max(align, 0.0), 1.0), 6)})
        out.append({**t, "scores": scores})
    print(json.dumps({"generated_by": "offchain-worker/python/golden.py (Python onnxruntime)", "tasks": out}, indent=1))


if __name__ == "__main__":
    main()
