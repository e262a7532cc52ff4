#!/usr/bin/env python3
"""Run saidwho over a JSON-lines corpus with Spark: one saidwho process per partition.

Each input line is a JSON object {"id": ..., "text": ...}. Spark splits the lines
into partitions and pipes each partition through one `saidwho extract --jsonl -`
process (RDD.pipe): the process loads the model once and runs every document of
its partition, writing one JSON line per document. The results are written as
JSON-lines part files under OUTPUT (Spark's saveAsTextFile layout).

Why a process per partition and not a call per document: loading the model costs
about a second and a few hundred MB, and saidwho batches the sentences of many
documents into each forward pass. A partition of a few thousand articles keeps
both costs small (docs/scaling.md).

Local run (what tests/spark.rs does):

    python3 examples/spark/saidwho_spark.py --master 'local[2]' \
        --saidwho target/release/examples/saidwho corpus.jsonl out/

On a cluster, ship the binary and the model with the job:

    tar -C /path/to/models -czf model.tgz conll03-distilbert-cased
    spark-submit --master yarn --files target/release/examples/saidwho \
        --archives model.tgz#models \
        examples/spark/saidwho_spark.py --saidwho ./saidwho \
        --extract-args '--model ./models/conll03-distilbert-cased' \
        --partitions 400 hdfs:///corpus.jsonl hdfs:///saidwho-out
"""

import argparse
import os
import shlex
import sys

from pyspark import SparkConf, SparkContext


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", help="JSON-lines corpus: one {\"id\", \"text\"} object a line")
    ap.add_argument("output", help="directory for the JSON-lines results (must not exist)")
    ap.add_argument("--saidwho", default="saidwho",
                    help="the saidwho binary as the executors see it (default: on PATH)")
    ap.add_argument("--extract-args", default="",
                    help="more arguments for `saidwho extract`, e.g. '--precision int8' or "
                         "'--model ./models/NAME' or '--no-ner'")
    ap.add_argument("--partitions", type=int, default=None,
                    help="repartition the input into this many partitions (one process each)")
    ap.add_argument("--threads", type=int, default=1,
                    help="documents in flight per saidwho process (default 1: one task a core)")
    ap.add_argument("--master", default=None,
                    help="Spark master when not run by spark-submit, e.g. 'local[2]'")
    ap.add_argument("--allow-errors", action="store_true",
                    help="keep going when saidwho reports a bad document (it is left out of "
                         "the results and named in the executor's stderr); by default the task "
                         "fails")
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    conf = SparkConf().setAppName("saidwho")
    if args.master:
        conf = conf.setMaster(args.master)
    sc = SparkContext.getOrCreate(conf)
    try:
        lines = sc.textFile(args.input).filter(lambda line: line.strip())
        if args.partitions:
            lines = lines.repartition(args.partitions)
        command = " ".join(
            [shlex.quote(args.saidwho), "extract", "--jsonl", "--threads", str(args.threads)]
            + [shlex.quote(a) for a in shlex.split(args.extract_args)]
            + ["-"]
        )
        # The executors inherit the model search path of the driver's environment.
        # (RDD.pipe gives the process exactly this environment.)
        env = {k: v for k, v in os.environ.items() if k.startswith("SAIDWHO_") or k == "PATH"}
        env["RAYON_NUM_THREADS"] = os.environ.get("RAYON_NUM_THREADS", "1")
        results = lines.pipe(command, env=env, checkCode=not args.allow_errors)
        results.saveAsTextFile(args.output)
    finally:
        sc.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
