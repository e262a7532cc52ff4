#!/usr/bin/env python3
"""The Python reference for saidwho's NER throughput: the same model over the
same articles through Hugging Face transformers' `pipeline("ner")`.

    python3 -m venv ~/.cache/saidwho-py
    ~/.cache/saidwho-py/bin/pip install torch==2.4.0 transformers==4.46.3
    ~/.cache/saidwho-py/bin/python benches/hf_ner.py \
        ../shared/models/conll03-distilbert-cased ../shared/data/polnear/dev.jsonl --threads 1 2

Each article goes in whole, as a user would pass it: aggregation "first"
(saidwho's default), and long articles split into 512-token chunks with a
stride of 64 tokens (the pipeline's own way to handle any length; without a
stride it would silently truncate). Tokens are whitespace-separated words,
counted exactly as `examples/corpus_bench.rs` counts them (run it with
`--data ../shared/data/polnear/dev.jsonl` for the same articles). `--threads N` sets torch's intra-op threads (torch.set_num_threads).
`--quantize` runs the model with torch's dynamic int8 quantization of its
Linear layers, the counterpart of `corpus_bench --precision int8`.
Peak RSS is the process high-water mark (ru_maxrss), so it covers all runs
up to that row. Prints one Markdown table row per thread count.
"""

import argparse
import json
import resource
import time


def cpu_model():
    """The CPU's model name as lscpu gives it (/proc/cpuinfo), or "unknown"."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="HF token-classification directory")
    parser.add_argument("data", help="JSON lines with a 'text' field")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--limit", type=int, default=None, help="first N articles")
    parser.add_argument("--stride", type=int, default=64)
    parser.add_argument(
        "--quantize",
        action="store_true",
        help="dynamic int8 quantization of the Linear layers (torch quantize_dynamic), "
        "the counterpart of saidwho's --precision int8",
    )
    args = parser.parse_args()

    import torch
    from transformers import pipeline

    with open(args.data, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    if args.limit:
        texts = texts[: args.limit]
    words = sum(len(t.split()) for t in texts)

    start = time.perf_counter()
    ner = pipeline(
        "ner",
        model=args.model,
        tokenizer=args.model,
        aggregation_strategy="first",
        stride=args.stride,
        device=-1,
    )
    if args.quantize:
        ner.model = torch.quantization.quantize_dynamic(
            ner.model, {torch.nn.Linear}, dtype=torch.qint8
        )
    load = time.perf_counter() - start
    print(
        f"corpus: {args.data} ({len(texts)} articles, {words} tokens); "
        f"model loaded in {load:.2f} s; torch {torch.__version__}; CPU {cpu_model()}; "
        f"kernels: {torch.backends.cpu.get_cpu_capability()} "
        f"(quantized engine {torch.backends.quantized.engine})"
        + ("; int8 (quantize_dynamic)" if args.quantize else "")
    )
    print()
    print("| threads | wall s | articles/s | tokens/s | entities | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    for threads in args.threads:
        torch.set_num_threads(threads)
        ner(texts[0])  # warm-up
        start = time.perf_counter()
        entities = 0
        with torch.inference_mode():
            for text in texts:
                entities += len(ner(text))
        wall = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"| {threads} | {wall:.2f} | {len(texts) / wall:.2f} | {words / wall:.0f} "
            f"| {entities} | {rss:.0f} |"
        )


if __name__ == "__main__":
    main()
