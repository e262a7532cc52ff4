#!/usr/bin/env python3
"""Trains saidwho's attribution span head over the embedded NER encoder, in one command.

    python train/quote_spans.py --data ../shared/data --work train/work-spans \
        --out src/quotes/spans/model

The head reads the token states the embedded NER model (`src/ner/embedded/model`) already
computes for NER, so the pipeline pays one encoder pass for both jobs: the encoder is frozen
and its states are computed once (stage 2), which makes every training epoch cheap.

Stages, each resumable (a finished stage leaves its file in --work and is skipped on the
next run; training checkpoints after every epoch and resumes from the last one):

1. sentences  the sentences of every PolNeAR train and dev article, as saidwho's own
              splitter cuts them (`saidwho sentences --jsonl`, built by cargo if needed):
              the head must see the windows the pipeline gives the encoder.
2. states     the encoder's last-layer state of every sub-word, one sentence per window
              ([CLS] sentence [SEP]; long sentences cut into overlapping segments as
              `src/ner/windows.rs` does), from the 8-bit weights de-quantised (what
              saidwho runs at f32). Gold tags per sub-word: for each role (source, cue,
              content) its own B/I/O tag sequence, so that roles may overlap.
3. train      the head: Linear(768 -> proj) then a one-layer BiLSTM (hidden per direction)
              and Linear(2*hidden -> 9) = 3 roles x {O, B, I}, over each paragraph's
              sub-words (paragraphs end at blank lines), cross-entropy per role.
              AdamW; selected on PolNeAR dev span exact-match F1 (mean of the roles).
4. export     model.safetensors (f16), config.json, reference.json (outputs of the
              exported weights on fixed inputs, for the Rust tests) and scores.json.

Only PolNeAR train is trained on; dev selects the epoch; test splits are never read.
Seeds are fixed (--seed).
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

# The student's embedding layer, as distill.py (which wrote the encoder) defines it.
from distill import FactorisedEmbedding

ROLES = ["source", "cue", "content"]
TAGS = ["O", "B", "I"]


# ---------------------------------------------------------------- stage 1: sentences


def read_polnear(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def saidwho_binary(args):
    if args.saidwho:
        return args.saidwho
    exe = os.path.join(args.target_dir, "release", "examples", "saidwho")
    if not os.path.exists(exe):
        subprocess.run(
            ["cargo", "build", "--release", "--example", "saidwho", "--target-dir", args.target_dir],
            check=True,
        )
    return exe


def sentences(args, split, docs):
    """Sentence spans (code points) of each article, from saidwho's splitter."""
    path = os.path.join(args.work, f"sentences-{split}.json")
    if os.path.exists(path):
        return json.load(open(path))
    exe = saidwho_binary(args)
    src = os.path.join(args.data, "polnear", f"{split}.jsonl")
    out = subprocess.run(
        [exe, "sentences", "--jsonl", "--offsets", "chars", src],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(rows) == len(docs), f"{len(rows)} sentence lists for {len(docs)} articles"
    spans = [[(s["start"], s["end"]) for s in r["sentences"]] for r in rows]
    json.dump(spans, open(path + ".tmp", "w"))
    os.replace(path + ".tmp", path)
    return spans


def paragraphs(text, sents):
    """Paragraph index of each sentence: a new paragraph after a blank line."""
    out, p = [], 0
    for i, (s, _) in enumerate(sents):
        if i > 0:
            gap = text[sents[i - 1][1] : s]
            if gap.count("\n") >= 2:
                p += 1
        out.append(p)
    return out


# ---------------------------------------------------------------- stage 2: states


def load_encoder(model_dir):
    """The embedded NER model in PyTorch, weights de-quantised from their 8-bit rows."""
    from safetensors.torch import load_file
    from transformers import DistilBertConfig, DistilBertForTokenClassification

    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    rank = cfg.pop("embedding_size")
    for k in ("saidwho_weights",):
        cfg.pop(k, None)
    config = DistilBertConfig(**cfg)
    model = DistilBertForTokenClassification(config)
    raw = load_file(os.path.join(model_dir, "model.safetensors"))
    sd = {}
    for name, t in raw.items():
        if name.endswith("_scale"):
            continue
        if name + "_scale" in raw:
            t = (t.float() - 128.0) * raw[name + "_scale"].float()[:, None]
        sd[name] = t.float()
    table = sd.pop("distilbert.embeddings.word_embeddings.weight")
    proj = sd.pop("distilbert.embeddings.word_projection.weight")

    model.distilbert.embeddings.word_embeddings = FactorisedEmbedding(table, proj)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    missing = [m for m in missing if "word_embeddings" not in m]
    assert not missing and not unexpected, (missing, unexpected)
    assert rank == table.shape[1]
    model.eval()
    return model


def windows_of(n, cap, stride):
    """Segments (start, end) of a sequence of n tokens, as src/ner/windows.rs cuts them."""
    if n <= cap:
        return [(0, n)]
    step = cap - min(stride, cap // 2)
    out, start = [], 0
    while True:
        end = min(start + cap, n)
        out.append((start, end))
        if end == n:
            return out
        start += step


def encode_split(args, split, docs, sents, tok, encoder):
    """Per article: sub-word char offsets, word ids, paragraph ids, states (f16) and tags."""
    path = os.path.join(args.work, f"states-{split}.pt")
    if os.path.exists(path):
        return torch.load(path)
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    cap = args.window_tokens - 2
    arts = []
    jobs = []  # (article, sentence, seg start, seg end, ids)
    for a, (doc, ss) in enumerate(zip(docs, sents)):
        text = doc["text"]
        para = paragraphs(text, ss)
        offs, words, paras, sent_of = [], [], [], []
        seqs = []
        word_base = 0
        for si, (s, e) in enumerate(ss):
            enc = tok.encode(text[s:e], add_special_tokens=False)
            ids = enc.ids
            wids = enc.word_ids
            seqs.append(ids)
            top = -1
            for (o1, o2), w in zip(enc.offsets, wids):
                offs.append((s + o1, s + o2))
                w = -1 if w is None else w
                words.append(word_base + w if w >= 0 else -1)
                top = max(top, w)
                paras.append(para[si])
                sent_of.append(si)
            word_base += top + 1
            for (a0, a1) in windows_of(len(ids), cap, args.stride):
                jobs.append((a, si, a0, a1, ids[a0:a1]))
        arts.append(
            {
                "offsets": np.array(offs, dtype=np.int32).reshape(-1, 2),
                "words": np.array(words, dtype=np.int32),
                "paras": np.array(paras, dtype=np.int32),
                "sent_of": np.array(sent_of, dtype=np.int32),
                "seq_lens": [len(x) for x in seqs],
                "states": None,
            }
        )
    # run the windows, longest-first batches of similar length
    order = sorted(range(len(jobs)), key=lambda j: len(jobs[j][4]))
    results = {}
    t0 = time.time()
    with torch.inference_mode():
        i = 0
        while i < len(order):
            width = len(jobs[order[i]][4]) + 2
            j = i
            while j < len(order) and (j - i + 1) * (len(jobs[order[j]][4]) + 2) <= args.batch_tokens:
                j += 1
            j = max(j, i + 1)
            idx = order[i:j]
            width = max(len(jobs[k][4]) for k in idx) + 2
            ids = torch.zeros((len(idx), width), dtype=torch.long)
            mask = torch.zeros((len(idx), width), dtype=torch.long)
            for r, k in enumerate(idx):
                row = [cls_id] + jobs[k][4] + [sep_id]
                ids[r, : len(row)] = torch.tensor(row)
                mask[r, : len(row)] = 1
            hid = encoder.distilbert(input_ids=ids, attention_mask=mask).last_hidden_state
            for r, k in enumerate(idx):
                n = len(jobs[k][4])
                results[k] = hid[r, 1 : 1 + n].to(torch.float16).numpy()
            i = j
    print(f"[states] {split}: {len(jobs)} windows in {time.time() - t0:.0f} s", flush=True)
    # merge segments: each token keeps the segment where it is farthest from a cut
    per_sent = {}
    for k, (a, si, a0, a1, _) in enumerate(jobs):
        per_sent.setdefault((a, si), []).append((a0, a1, results[k]))
    for a, art in enumerate(arts):
        rows = []
        for si, n in enumerate(art["seq_lens"]):
            if n == 0:
                continue
            out = np.zeros((n, encoder.config.dim), dtype=np.float16)
            best = np.zeros(n, dtype=np.int64)
            for (a0, a1, st) in per_sent[(a, si)]:
                for t in range(a0, a1):
                    left = 1 << 40 if a0 == 0 else t - a0
                    right = 1 << 40 if a1 == n else a1 - 1 - t
                    c = min(left, right) + 1
                    if c > best[t]:
                        best[t] = c
                        out[t] = st[t - a0]
            rows.append(out)
        art["states"] = np.concatenate(rows) if rows else np.zeros((0, encoder.config.dim), np.float16)
        art["tags"] = gold_tags(docs[a], art)
    torch.save(arts, path + ".tmp")
    os.replace(path + ".tmp", path)
    return arts


def gold_spans(doc):
    """Per role, the set of gold (start, end) code-point spans, whitespace trimmed."""
    text = doc["text"]
    out = {r: set() for r in ROLES}
    for q in doc.get("quotes", []):
        for r in ROLES:
            for (s, e, _) in q.get(r, []):
                s, e = trim(text, s, e)
                if s < e:
                    out[r].add((s, e))
    return out


def trim(text, s, e):
    e = min(e, len(text))
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def gold_tags(doc, art):
    """(tokens, 3) tags: per role O=0, B=1, I=2 on sub-words, by words: a word is in a
    span when it overlaps it; the span's first word's first sub-word is B."""
    n = len(art["words"])
    tags = np.zeros((n, len(ROLES)), dtype=np.int64)
    offs = art["offsets"]
    spans = gold_spans(doc)
    starts = offs[:, 0]
    for ri, r in enumerate(ROLES):
        for (s, e) in sorted(spans[r]):
            lo = np.searchsorted(offs[:, 1], s, side="right")  # first token ending after s
            hi = np.searchsorted(starts, e, side="left")  # tokens starting before e
            if lo >= hi:
                continue
            tags[lo:hi, ri] = 2
            tags[lo, ri] = 1
            # a sub-word continuing the word before the span start is outside
    return tags


# ---------------------------------------------------------------- stage 3: the head


class SpanHead(torch.nn.Module):
    def __init__(self, dim, proj, hidden):
        super().__init__()
        self.proj = torch.nn.Linear(dim, proj)
        self.lstm = torch.nn.LSTM(proj, hidden, batch_first=True, bidirectional=True)
        self.out = torch.nn.Linear(2 * hidden, len(ROLES) * len(TAGS))
        self.drop = torch.nn.Dropout(0.2)

    def forward(self, x, lens):
        x = self.drop(self.proj(x))
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
        y, _ = self.lstm(packed)
        y, _ = torch.nn.utils.rnn.pad_packed_sequence(y, batch_first=True, total_length=x.shape[1])
        return self.out(self.drop(y)).view(x.shape[0], x.shape[1], len(ROLES), len(TAGS))


def units(arts):
    """(article, token start, token end) of each paragraph."""
    out = []
    for a, art in enumerate(arts):
        p = art["paras"]
        if len(p) == 0:
            continue
        cuts = np.flatnonzero(np.diff(p)) + 1
        bounds = [0] + cuts.tolist() + [len(p)]
        for s, e in zip(bounds, bounds[1:]):
            out.append((a, s, e))
    return out


def unit_batches(us, max_tokens, rng=None):
    order = sorted(range(len(us)), key=lambda i: us[i][2] - us[i][1])
    out, cur, width = [], [], 0
    for i in order:
        n = us[i][2] - us[i][1]
        if cur and max(width, n) * (len(cur) + 1) > max_tokens:
            out.append(cur)
            cur, width = [], 0
        cur.append(i)
        width = max(width, n)
    if cur:
        out.append(cur)
    if rng is not None:
        rng.shuffle(out)
    return out


def tensors(arts, us, idx, with_tags=True):
    lens = [us[i][2] - us[i][1] for i in idx]
    width = max(lens)
    dim = arts[0]["states"].shape[1]
    x = torch.zeros((len(idx), width, dim))
    y = torch.full((len(idx), width, len(ROLES)), -100, dtype=torch.long)
    for r, i in enumerate(idx):
        a, s, e = us[i]
        x[r, : e - s] = torch.from_numpy(arts[a]["states"][s:e].astype(np.float32))
        if with_tags:
            y[r, : e - s] = torch.from_numpy(arts[a]["tags"][s:e])
    return x, y, lens


def decode(tags, words):
    """Token spans (first, last) per role from per-token tags, read at word level: a
    word takes its first sub-word's tag; B or an I after O opens a span."""
    out = {r: [] for r in ROLES}
    n = len(words)
    # first sub-word of each word
    for ri, r in enumerate(ROLES):
        cur = None
        t = 0
        while t < n:
            w = words[t]
            u = t
            while u + 1 < n and words[u + 1] == w and w >= 0:
                u += 1
            tag = tags[t, ri]
            if tag == 1 or (tag == 2 and cur is None):
                if cur is not None:
                    out[r].append(cur)
                cur = [t, u]
            elif tag == 2:
                cur[1] = u
            else:
                if cur is not None:
                    out[r].append(cur)
                cur = None
            t = u + 1
        if cur is not None:
            out[r].append(cur)
    return out


def predict(head, arts, us, max_tokens=8192):
    """Predicted tags per article (tokens x roles)."""
    preds = [np.zeros((len(a["words"]), len(ROLES)), dtype=np.int64) for a in arts]
    head.eval()
    with torch.inference_mode():
        for idx in unit_batches(us, max_tokens):
            x, _, lens = tensors(arts, us, idx, with_tags=False)
            logits = head(x, lens)
            tags = logits.argmax(-1).numpy()
            for r, i in enumerate(idx):
                a, s, e = us[i]
                preds[a][s:e] = tags[r, : e - s]
    return preds


def span_scores(docs, arts, preds, us):
    """Exact-match P/R/F1 per role: predicted spans (per paragraph, read at word
    level, mapped to code points) against the gold spans, whitespace trimmed."""
    counts = {r: [0, 0, 0] for r in ROLES}  # tp, pred, gold
    for a, (doc, art) in enumerate(zip(docs, arts)):
        gold = gold_spans(doc)
        pred = {r: set() for r in ROLES}
        for (ua, s, e) in us:
            if ua != a:
                continue
            spans = decode(preds[a][s:e], art["words"][s:e])
            for r in ROLES:
                for (t0, t1) in spans[r]:
                    cs, ce = int(art["offsets"][s + t0, 0]), int(art["offsets"][s + t1, 1])
                    pred[r].add((cs, ce))
        for r in ROLES:
            counts[r][0] += len(pred[r] & gold[r])
            counts[r][1] += len(pred[r])
            counts[r][2] += len(gold[r])
    out = {}
    for r, (tp, p, g) in counts.items():
        pr = tp / p if p else 0.0
        rc = tp / g if g else 0.0
        f = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        out[r] = {"p": round(100 * pr, 2), "r": round(100 * rc, 2), "f1": round(100 * f, 2), "tp": tp, "pred": p, "gold": g}
    out["mean_f1"] = round(sum(out[r]["f1"] for r in ROLES) / len(ROLES), 2)
    return out


# ---------------------------------------------------------------- stage 4: export

REFERENCE_SEED = 7


def export(head, args, scores, meta):
    from safetensors.torch import save_file

    os.makedirs(args.out, exist_ok=True)
    sd = {k: v.detach().float().cpu() for k, v in head.state_dict().items()}
    half = {k: v.to(torch.float16).contiguous() for k, v in sd.items()}
    save_file(half, os.path.join(args.out, "model.safetensors"), metadata={"format": "pt"})
    cfg = {
        "kind": "saidwho-attribution-spans",
        "encoder": "saidwho-ner-small",
        "dim": head.proj.in_features,
        "proj": head.proj.out_features,
        "hidden": head.lstm.hidden_size,
        "roles": ROLES,
        "tags": TAGS,
        "unit": "paragraph",
        "layout": "logits[token][role * 3 + tag]; LSTM gates i, f, g, o (PyTorch)",
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    # the head exactly as saidwho runs it: f32 from the f16 weights
    run = SpanHead(cfg["dim"], cfg["proj"], cfg["hidden"])
    run.load_state_dict({k: v.float() for k, v in half.items()})
    run.eval()
    g = torch.Generator().manual_seed(REFERENCE_SEED)
    cases = []
    with torch.inference_mode():
        for n in (1, 4, 9):
            # rounded so that the JSON holds exactly the states used
            x = torch.round(torch.randn((1, n, cfg["dim"]), generator=g) * 1000) / 1000
            y = run(x, [n])[0].reshape(n, -1)
            cases.append({"states": [[round(v, 3) for v in r] for r in x[0].tolist()], "logits": [[round(v, 6) for v in r] for r in y.tolist()]})
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump({"note": "head logits (f32, from the f16 weights) on random states", "cases": cases}, f)
        f.write("\n")
    with open(os.path.join(args.out, "scores.json"), "w") as f:
        json.dump({"dev": scores, **meta}, f, indent=2, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--encoder", default="src/ner/embedded/model")
    ap.add_argument("--work", default="train/work-spans")
    ap.add_argument("--out", default="src/quotes/spans/model")
    ap.add_argument("--saidwho", default="", help="a built saidwho example binary (else built with cargo)")
    ap.add_argument("--target-dir", default="target")
    ap.add_argument("--window-tokens", type=int, default=256)
    ap.add_argument("--stride", type=int, default=64)
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--proj", type=int, default=128)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--train-tokens", type=int, default=8192, help="padded tokens per training batch")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="articles per split (0: all), for quick runs")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(os.path.join(args.encoder, "tokenizer.json"))
    encoder = None
    data = {}
    for split in ("train", "dev"):
        docs = read_polnear(os.path.join(args.data, "polnear", f"{split}.jsonl"))
        sents = sentences(args, split, docs)
        if args.limit:
            docs, sents = docs[: args.limit], sents[: args.limit]
        if not os.path.exists(os.path.join(args.work, f"states-{split}.pt")) and encoder is None:
            encoder = load_encoder(args.encoder)
        arts = encode_split(args, split, docs, sents, tok, encoder)
        data[split] = (docs, arts, units(arts))
        print(f"[data] {split}: {len(docs)} articles, {sum(len(a['words']) for a in arts)} sub-words, "
              f"{len(data[split][2])} paragraphs", flush=True)

    docs, arts, us = data["train"]
    ddocs, darts, dus = data["dev"]
    head = SpanHead(arts[0]["states"].shape[1], args.proj, args.hidden)
    opt = torch.optim.AdamW(head.parameters(), lr=args.lr, weight_decay=0.01)
    tag = f"p{args.proj}_h{args.hidden}_e{args.epochs}_lr{args.lr:g}_s{args.seed}_l{args.limit}"
    ckpt = os.path.join(args.work, f"head-{tag}.pt")
    start, best, history = 0, None, []
    if os.path.exists(ckpt):
        st = torch.load(ckpt)
        head.load_state_dict(st["head"])
        opt.load_state_dict(st["opt"])
        start, best, history = st["epoch"], st["best"], st["history"]
        torch.set_rng_state(st["rng"])
        print(f"[train] resumed after epoch {start}", flush=True)
    steps = args.epochs * len(unit_batches(us, args.train_tokens))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / max(1, steps)))
    for _ in range(start * len(unit_batches(us, args.train_tokens))):
        sched.step()
    for epoch in range(start, args.epochs):
        t0 = time.time()
        head.train()
        total = 0.0
        plan = unit_batches(us, args.train_tokens, random.Random(args.seed * 1000 + epoch))
        for idx in plan:
            x, y, lens = tensors(arts, us, idx)
            logits = head(x, lens)
            loss = F.cross_entropy(logits.reshape(-1, len(TAGS)), y.reshape(-1), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item()
        scores = span_scores(ddocs, darts, predict(head, darts, dus), dus)
        history.append({"epoch": epoch + 1, "loss": round(total / len(plan), 4), "dev": scores,
                        "seconds": round(time.time() - t0, 1)})
        print(f"[train] epoch {epoch + 1}: loss {total / len(plan):.4f}, dev F1 "
              f"source {scores['source']['f1']} cue {scores['cue']['f1']} content {scores['content']['f1']} "
              f"mean {scores['mean_f1']} ({time.time() - t0:.0f} s)", flush=True)
        if best is None or scores["mean_f1"] > best["dev"]["mean_f1"]:
            best = {"epoch": epoch + 1, "dev": scores,
                    "head": {k: v.clone() for k, v in head.state_dict().items()}}
        st = {"head": head.state_dict(), "opt": opt.state_dict(), "epoch": epoch + 1, "best": best,
              "history": history, "rng": torch.get_rng_state()}
        torch.save(st, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)
    head.load_state_dict(best["head"])
    meta = {
        "selected_epoch": best["epoch"],
        "history": history,
        "settings": {k: v for k, v in vars(args).items() if k not in ("saidwho", "target_dir")},
        "train_articles": len(docs),
        "dev_articles": len(ddocs),
    }
    print(f"[export] epoch {best['epoch']}: {json.dumps(best['dev'])}", flush=True)
    export(head, args, best["dev"], meta)


if __name__ == "__main__":
    sys.exit(main())
