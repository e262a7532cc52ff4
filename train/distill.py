#!/usr/bin/env python3
"""Distils saidwho's embedded NER model from the teacher, in one command.

    python train/distill.py --teacher ../shared/models/conll03-distilbert-cased \
        --data ../shared/data --work train/work --out src/ner/embedded/model

Stages, each resumable (a finished stage leaves its file in --work and is skipped
on the next run; training checkpoints every few minutes and resumes from the
last checkpoint, so a killed run loses at most that much):

1. data      CoNLL-2003 train sentences (gold IOB1 tags, turned into IOB2) and
             unlabelled news sentences (PolNeAR train + Reuters-21578), tokenised
             with the teacher's tokenizer; the dev split is read for selection.
2. teacher   the teacher's logits on every training sentence (soft labels),
             and the FFN neurons' importance on a sample.
3. student   the student, cut from the teacher (see `build_student`).
4. train     knowledge distillation: KL to the teacher's distribution on every
             sub-word, plus cross-entropy to the gold tag on CoNLL first
             sub-words. Selected on CoNLL-2003 dev F1 (per sentence) after each epoch.
5. export    the best epoch, with its weights stored as 8-bit integers per
             output row, as a Hugging Face-style directory saidwho loads:
             config.json, tokenizer.json, model.safetensors, reference.json
             (logits of fixed sentences computed here, for the Rust tests),
             scores.json.

Seeds are fixed (--seed); torch runs on --threads CPU threads (a GPU is used
if --device cuda is given and present). Test splits are never read.
"""

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"]
L2I = {l: i for i, l in enumerate(LABELS)}
MAX_PIECES = 128  # longest training sequence, [CLS] and [SEP] included

# ---------------------------------------------------------------- data


def read_conll(path):
    """Sentences of a CoNLL-2003 file as (words, IOB2 tags)."""
    sents, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("-DOCSTART-"):
                if words:
                    sents.append((words, iob1_to_iob2(tags)))
                    words, tags = [], []
                continue
            parts = line.split()
            words.append(parts[0])
            tags.append(parts[-1])
    if words:
        sents.append((words, iob1_to_iob2(tags)))
    return sents


def iob1_to_iob2(tags):
    out, prev = [], "O"
    for t in tags:
        if t.startswith("I-") and (prev == "O" or prev[2:] != t[2:]):
            t = "B-" + t[2:]
        out.append(t)
        prev = t
    return out


SENT_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])")


def news_sentences(text):
    """A rough sentence split of an article (paragraphs, then end marks):
    enough for soft labels, which need sentence-sized windows, not gold ones."""
    for para in re.split(r"\n\s*\n|\n", text):
        para = " ".join(para.split())
        for s in SENT_END.split(para):
            if len(s.split()) >= 3:
                yield s


def unlabelled(data_dir, budget_words, rng):
    """Sentences from PolNeAR train and Reuters-21578, half the word budget each."""
    out = []
    sources = [
        os.path.join(data_dir, "polnear", "train.jsonl"),
        os.path.join(data_dir, "news", "reuters21578.jsonl"),
    ]
    for path in sources:
        docs = [json.loads(l)["text"] for l in open(path, encoding="utf-8")]
        rng.shuffle(docs)
        words = 0
        for text in docs:
            for s in news_sentences(text):
                out.append(s)
                words += len(s.split())
            if words >= budget_words // 2:
                break
    return out


def encode_labelled(tok, sents):
    """Pieces and first-sub-word gold labels (-100 elsewhere) of CoNLL sentences."""
    out = []
    for words, tags in sents:
        enc = tok(words, is_split_into_words=True, truncation=True, max_length=MAX_PIECES)
        gold, prev = [], None
        for w in enc.word_ids():
            gold.append(-100 if w is None or w == prev else L2I[tags[w]])
            prev = w
        out.append({"ids": enc["input_ids"], "gold": gold})
    return out


def encode_text(tok, texts):
    return [
        {"ids": tok(t, truncation=True, max_length=MAX_PIECES)["input_ids"], "gold": None}
        for t in texts
    ]


def batches(items, max_tokens, rng=None):
    """Index batches of similar length, at most max_tokens padded pieces each."""
    order = sorted(range(len(items)), key=lambda i: len(items[i]["ids"]))
    out, cur, width = [], [], 0
    for i in order:
        n = len(items[i]["ids"])
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


def pad(items, idx, key, fill):
    width = max(len(items[i]["ids"]) for i in idx)
    rows = []
    for i in idx:
        v = items[i][key]
        rows.append(list(v) + [fill] * (width - len(v)))
    return torch.tensor(rows)


# ---------------------------------------------------------------- models


class FactorisedEmbedding(torch.nn.Module):
    """Word embeddings as a (vocab, rank) table times a (rank -> dim) projection."""

    def __init__(self, table, proj):
        super().__init__()
        self.table = torch.nn.Parameter(table)  # (vocab, rank)
        self.proj = torch.nn.Parameter(proj)  # (dim, rank), a Linear weight

    def forward(self, ids):
        return F.embedding(ids, self.table) @ self.proj.t()


def build_student(teacher, layers, ffn, rank, importance):
    """The student: the teacher's `layers` (indices), each feed-forward cut to
    its `ffn` most important neurons, word embeddings factorised to `rank` by a
    truncated SVD; everything else (positions, norms, classifier) copied."""
    from transformers import DistilBertConfig, DistilBertForTokenClassification

    cfg = DistilBertConfig(**teacher.config.to_dict())
    cfg.n_layers = len(layers)
    cfg.hidden_dim = ffn
    student = DistilBertForTokenClassification(cfg)
    sd = student.state_dict()
    tsd = teacher.state_dict()
    for name in sd:
        if ".transformer.layer." in name:
            continue
        if name in tsd and tsd[name].shape == sd[name].shape:
            sd[name] = tsd[name].clone()
    for new, old in enumerate(layers):
        keep = torch.argsort(importance[old], descending=True)[:ffn].sort().values
        for name in sd:
            prefix = f"distilbert.transformer.layer.{new}."
            if not name.startswith(prefix):
                continue
            src = tsd[f"distilbert.transformer.layer.{old}." + name[len(prefix):]]
            if name.endswith("ffn.lin1.weight") or name.endswith("ffn.lin1.bias"):
                src = src[keep]
            elif name.endswith("ffn.lin2.weight"):
                src = src[:, keep]
            sd[name] = src.clone()
    student.load_state_dict(sd)
    emb = tsd["distilbert.embeddings.word_embeddings.weight"].float()
    u, s, vt = torch.linalg.svd(emb, full_matrices=False)
    table = u[:, :rank] * s[:rank].sqrt()
    proj = (vt[:rank].t() * s[:rank].sqrt()).contiguous()  # (dim, rank)
    student.distilbert.embeddings.word_embeddings = FactorisedEmbedding(table, proj)
    student.config.embedding_size = rank
    return student


def ffn_importance(teacher, items, n):
    """Mean |activation| of each FFN neuron times the norm of its output
    weights, per layer, over n training sentences."""
    acts = {}
    hooks = []
    for i, layer in enumerate(teacher.distilbert.transformer.layer):
        acts[i] = torch.zeros(layer.ffn.lin1.out_features)

        def hook(mod, inp, out, i=i):
            a = F.gelu(out).abs()
            acts[i] += a.reshape(-1, a.shape[-1]).sum(0)

        hooks.append(layer.ffn.lin1.register_forward_hook(hook))
    with torch.inference_mode():
        for idx in batches(items[:n], 4096):
            ids = pad(items, idx, "ids", 0)
            teacher(input_ids=ids, attention_mask=(ids != 0).long())
    for h in hooks:
        h.remove()
    out = []
    for i, layer in enumerate(teacher.distilbert.transformer.layer):
        out.append(acts[i] * layer.ffn.lin2.weight.norm(dim=0))
    return out


# ---------------------------------------------------------------- evaluation


def spans(tags):
    out, start, typ = set(), None, None
    for i, t in enumerate(list(tags) + ["O"]):
        if start is not None and not (t.startswith("I-") and t[2:] == typ):
            out.add((start, i, typ))
            start = None
        if t.startswith("B-") or (t.startswith("I-") and start is None):
            start, typ = i, t[2:]
    return out


def predict_words(model, tok, sents, device):
    """Word-level tags (first sub-word) of CoNLL sentences, one sentence a window."""
    items = encode_labelled(tok, sents)
    preds = [None] * len(items)
    model.eval()
    with torch.inference_mode():
        for idx in batches(items, 8192):
            ids = pad(items, idx, "ids", 0).to(device)
            logits = model(input_ids=ids, attention_mask=(ids != 0).long()).logits
            best = logits.argmax(-1).cpu()
            for row, i in enumerate(idx):
                preds[i] = [
                    LABELS[best[row, j]] for j, g in enumerate(items[i]["gold"]) if g != -100
                ]
    return preds


def f1(model, tok, sents, device):
    preds = predict_words(model, tok, sents, device)
    tp = fp = fn = 0
    for (words, gold), pred in zip(sents, preds):
        pred = pred + ["O"] * (len(words) - len(pred))  # truncated sentences
        g, p = spans(gold), spans(fix_iob2(pred))
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
    prec = tp / max(tp + fp, 1)
    rec = tp / max(tp + fn, 1)
    return {"p": prec * 100, "r": rec * 100, "f1": 200 * prec * rec / max(prec + rec, 1e-9)}


def fix_iob2(tags):
    return tags


# ---------------------------------------------------------------- export


def quantize_rows(w):
    """Symmetric 8-bit per row: (uint8 = q + 128, float32 scale per row)."""
    w = w.float()
    scale = w.abs().amax(dim=1).clamp_min(1e-12) / 127.0
    q = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int16)
    return (q + 128).to(torch.uint8), scale


QUANTIZED = ("lin.weight", "lin1.weight", "lin2.weight", "position_embeddings.weight")


def export(student, tok, teacher_dir, out_dir, scores, meta):
    """Writes the student as saidwho's model directory. Returns the model as
    it will be run (weights de-quantised) for the reference logits."""
    from safetensors.torch import save_file

    os.makedirs(out_dir, exist_ok=True)
    tensors = {}
    sd = {k: v.detach().float().cpu() for k, v in student.state_dict().items()}
    table = sd.pop("distilbert.embeddings.word_embeddings.table")
    proj = sd.pop("distilbert.embeddings.word_embeddings.proj")
    sd["distilbert.embeddings.word_embeddings.weight"] = table
    sd["distilbert.embeddings.word_projection.weight"] = proj
    dequant = {}
    for name, w in sd.items():
        if w.dim() == 2 and (name.endswith(QUANTIZED) or "word_" in name):
            q, s = quantize_rows(w)
            tensors[name] = q.contiguous()
            tensors[name + "_scale"] = s.contiguous()
            dequant[name] = (q.float() - 128.0) * s[:, None]
        else:
            tensors[name] = w.contiguous()
            dequant[name] = w
    save_file(tensors, os.path.join(out_dir, "model.safetensors"), metadata={"format": "pt"})
    cfg = student.config.to_dict()
    cfg["architectures"] = ["DistilBertForTokenClassification"]
    cfg["embedding_size"] = int(table.shape[1])
    cfg["torch_dtype"] = "float32"
    cfg["saidwho_weights"] = "uint8 = q + 128 per row, value = q * <name>_scale[row]"
    for k in ("_name_or_path", "transformers_version"):
        cfg.pop(k, None)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    shutil.copy(os.path.join(teacher_dir, "tokenizer.json"), out_dir)
    # the model exactly as saidwho runs it (f32 from the 8-bit weights)
    run = build_like(student)
    rsd = run.state_dict()
    rsd["distilbert.embeddings.word_embeddings.table"] = dequant.pop(
        "distilbert.embeddings.word_embeddings.weight"
    )
    rsd["distilbert.embeddings.word_embeddings.proj"] = dequant.pop(
        "distilbert.embeddings.word_projection.weight"
    )
    for k, v in dequant.items():
        rsd[k] = v
    run.load_state_dict(rsd)
    run.eval()
    with open(os.path.join(out_dir, "scores.json"), "w") as f:
        json.dump({"scores": scores, **meta}, f, indent=2, sort_keys=True)
        f.write("\n")
    return run


def build_like(student):
    import copy

    return copy.deepcopy(student).float().cpu()


REFERENCE_TEXTS = [
    "Dmitry Medvedev said the Kursk submarine would be raised by Rosneft in Murmansk.",
    "The European Commission said on Thursday it disagreed with German advice.",
    "\u201cWe will not back down,\u201d said Angela Merkel in Berlin.",
    "Peter Blackburn",
    "BRUSSELS 1996-08-22",
    "a",
    "",
    "Z\u00fcrich-based UBS and S\u00e3o Paulo's Ita\u00fa reported results to the SEC.",
]


def reference(run, tok, out_dir):
    cases = []
    with torch.inference_mode():
        for text in REFERENCE_TEXTS:
            ids = tok(text)["input_ids"]
            logits = run(input_ids=torch.tensor([ids])).logits[0]
            cases.append({"text": text, "input_ids": ids, "logits": logits.tolist()})
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump({"note": "logits of the exported (8-bit, de-quantised) model, f32, one text at a time, with [CLS]/[SEP]", "cases": cases}, f)
        f.write("\n")


# ---------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--teacher", default="../shared/models/conll03-distilbert-cased")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--work", default="train/work")
    ap.add_argument("--out", default="src/ner/embedded/model")
    ap.add_argument("--layers", default="0,1", help="teacher layers the student starts from")
    ap.add_argument("--ffn", type=int, default=768, help="feed-forward neurons kept per layer")
    ap.add_argument("--rank", type=int, default=64, help="rank of the word embeddings")
    ap.add_argument("--unlabelled-words", type=int, default=300_000)
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=1.5e-4)
    ap.add_argument("--batch-tokens", type=int, default=2048)
    ap.add_argument("--alpha", type=float, default=0.5, help="weight of the gold loss on CoNLL")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--checkpoint-minutes", type=float, default=5.0)
    ap.add_argument("--limit", type=int, default=0, help="smoke test: this many CoNLL train and dev sentences")
    ap.add_argument("--stop-after-minutes", type=float, default=0, help="checkpoint and exit after this long (0: never)")
    args = ap.parse_args()

    t0 = time.time()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    os.makedirs(args.work, exist_ok=True)
    device = torch.device(args.device if args.device == "cpu" or torch.cuda.is_available() else "cpu")
    log = lambda *a: print(f"[{time.time() - t0:7.1f}s]", *a, flush=True)

    from transformers import AutoTokenizer, DistilBertForTokenClassification

    tok = AutoTokenizer.from_pretrained(args.teacher)
    teacher = DistilBertForTokenClassification.from_pretrained(args.teacher, torch_dtype=torch.float32)
    teacher.eval()
    dev = read_conll(os.path.join(args.data, "conll2003", "dev.txt"))
    if args.limit:
        dev = dev[: args.limit]

    # 1. data
    data_path = os.path.join(args.work, "data.pt")
    if not os.path.exists(data_path):
        rng = random.Random(args.seed)
        train = read_conll(os.path.join(args.data, "conll2003", "train.txt"))
        if args.limit:
            train = train[: args.limit]
        items = encode_labelled(tok, train)
        items += encode_text(tok, unlabelled(args.data, args.unlabelled_words, rng))
        torch.save(items, data_path + ".tmp")
        os.replace(data_path + ".tmp", data_path)
        log(f"data: {len(train)} CoNLL sentences, {len(items) - len(train)} unlabelled")
    items = torch.load(data_path)
    log(f"{len(items)} training sentences, {sum(len(i['ids']) for i in items)} pieces")

    # 2. teacher logits (resumable in chunks) and FFN importance
    soft_path = os.path.join(args.work, "teacher.pt")
    if not os.path.exists(soft_path):
        part_path = soft_path + ".part"
        soft = torch.load(part_path) if os.path.exists(part_path) else {}
        last = time.time()
        todo = [b for b in batches(items, 8192) if b[0] not in soft]
        with torch.inference_mode():
            for n, idx in enumerate(todo):
                ids = pad(items, idx, "ids", 0)
                logits = teacher(input_ids=ids, attention_mask=(ids != 0).long()).logits
                for row, i in enumerate(idx):
                    soft[i] = logits[row, : len(items[i]["ids"])].to(torch.float16).clone()
                if time.time() - last > 60 * args.checkpoint_minutes:
                    torch.save(soft, part_path)
                    last = time.time()
                    log(f"teacher: {len(soft)}/{len(items)} sentences")
        torch.save([soft[i] for i in range(len(items))], soft_path)
        if os.path.exists(part_path):
            os.remove(part_path)
        log("teacher logits done")
    soft = torch.load(soft_path)
    imp_path = os.path.join(args.work, "importance.pt")
    if not os.path.exists(imp_path):
        torch.save(ffn_importance(teacher, items, 3000), imp_path)
    importance = torch.load(imp_path)

    # 3. student
    layers = [int(x) for x in args.layers.split(",")]
    tag = f"l{'-'.join(map(str, layers))}_f{args.ffn}_r{args.rank}_e{args.epochs}_lr{args.lr:g}_s{args.seed}"
    ckpt_path = os.path.join(args.work, f"ckpt_{tag}.pt")
    student = build_student(teacher, layers, args.ffn, args.rank, importance).to(device)
    params = sum(p.numel() for p in student.parameters())
    log(f"student {tag}: {params / 1e6:.2f} M parameters")
    opt = torch.optim.AdamW(student.parameters(), lr=args.lr, weight_decay=0.01)
    plan = [batches(items, args.batch_tokens, random.Random(args.seed * 1000 + e)) for e in range(args.epochs)]
    total = sum(len(p) for p in plan)
    warm = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm))
    )
    state = {"epoch": 0, "batch": 0, "history": [], "best": None}
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        student.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        sched.load_state_dict(ck["sched"])
        state = ck["state"]
        torch.set_rng_state(ck["rng"])
        log(f"resumed at epoch {state['epoch']} batch {state['batch']}")

    def save():
        torch.save(
            {"model": student.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
             "state": state, "rng": torch.get_rng_state()},
            ckpt_path + ".tmp",
        )
        os.replace(ckpt_path + ".tmp", ckpt_path)

    # 4. train
    last = time.time()
    best_path = os.path.join(args.work, f"best_{tag}.pt")
    while state["epoch"] < args.epochs:
        e = state["epoch"]
        student.train()
        run_loss, seen = 0.0, 0
        for bi in range(state["batch"], len(plan[e])):
            idx = plan[e][bi]
            ids = pad(items, idx, "ids", 0).to(device)
            mask = ids != 0
            t = torch.nn.utils.rnn.pad_sequence([soft[i].float() for i in idx], batch_first=True).to(device)
            out = student(input_ids=ids, attention_mask=mask.long()).logits
            kl = F.kl_div(F.log_softmax(out, -1), F.log_softmax(t, -1), log_target=True, reduction="none").sum(-1)
            loss = (kl * mask).sum() / mask.sum()
            golds = [items[i]["gold"] for i in idx]
            if any(g is not None for g in golds):
                gold = torch.full(ids.shape, -100, dtype=torch.long)
                for row, g in enumerate(golds):
                    if g is not None:
                        gold[row, : len(g)] = torch.tensor(g)
                ce = F.cross_entropy(out.reshape(-1, out.shape[-1]), gold.reshape(-1).to(device), ignore_index=-100)
                if torch.isfinite(ce):
                    loss = (1 - args.alpha) * loss + args.alpha * ce
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
            opt.step()
            sched.step()
            run_loss += loss.item()
            seen += 1
            state["batch"] = bi + 1
            if time.time() - last > 60 * args.checkpoint_minutes:
                save()
                last = time.time()
                log(f"epoch {e} batch {bi + 1}/{len(plan[e])} loss {run_loss / max(seen, 1):.4f}")
                run_loss, seen = 0.0, 0
            if args.stop_after_minutes and time.time() - t0 > 60 * args.stop_after_minutes:
                save()
                log("stopping on --stop-after-minutes; run the same command to resume")
                return
        score = f1(student, tok, dev, device)
        log(f"epoch {e}: CoNLL dev F1 {score['f1']:.2f} (P {score['p']:.2f} R {score['r']:.2f})")
        state["history"].append({"epoch": e, **score})
        if state["best"] is None or score["f1"] > state["best"]["f1"]:
            state["best"] = {"epoch": e, **score}
            torch.save(student.state_dict(), best_path)
        state["epoch"] = e + 1
        state["batch"] = 0
        save()

    # 5. export
    student.load_state_dict(torch.load(best_path))
    student.eval()
    meta = {
        "teacher": os.path.basename(os.path.normpath(args.teacher)),
        "student": tag,
        "parameters": params,
        "history": state["history"],
        "args": {k: v for k, v in vars(args).items() if k not in ("work", "out")},
    }
    run = export(student, tok, args.teacher, args.out, state["best"], meta)
    q = f1(run, tok, dev, torch.device("cpu"))
    meta["exported_dev"] = q
    with open(os.path.join(args.out, "scores.json"), "w") as f:
        json.dump({"scores": state["best"], **meta}, f, indent=2, sort_keys=True)
        f.write("\n")
    reference(run, tok, args.out)
    log(f"exported to {args.out}: CoNLL dev F1 {q['f1']:.2f} with 8-bit weights (best epoch {state['best']['epoch']}: {state['best']['f1']:.2f})")


if __name__ == "__main__":
    sys.exit(main())
