#!/usr/bin/env python3
"""Run saidwho over a JSON-lines corpus with Spark: one saidwho process per partition.

Each input line is a JSON object {"id": ..., "text": ...}. Spark splits the lines
into partitions and pipes each partition through one `saidwho extract --jsonl -`
process (mapPartitions, as RDD.pipe does, but with the executor's own
environment plus the variables given with --env): the process loads the model
once and runs every document of its partition, writing one JSON line per
document. The results are written as JSON-lines part files under OUTPUT
(Spark's saveAsTextFile layout).

Why a process per partition and not a call per document: loading the model costs
about a second and a few hundred MB, and saidwho batches the sentences of many
documents into each forward pass. A partition of a few thousand articles keeps
both costs small (docs/scaling.md).

Local run (what tests/spark.rs does):

    python3 examples/spark/saidwho_spark.py --master 'local[2]' \
        --saidwho target/release/examples/saidwho corpus.jsonl out/

On a cluster, ship the binary and the model with the job:

    mkdir -p job/models && cp target/release/examples/saidwho job/ \
        && cp -r /path/to/models/conll03-distilbert-cased job/models/
    tar -C job -czf saidwho.tgz .     # an archive keeps the binary executable
    spark-submit --master yarn --conf spark.task.cpus=1 --archives saidwho.tgz#sw \
        examples/spark/saidwho_spark.py --saidwho ./sw/saidwho \
        --extract-args '--model ./sw/models/conll03-distilbert-cased --precision int8' \
        --partitions 2000 hdfs:///corpus.jsonl hdfs:///saidwho-out
"""

import argparse
import os
import shlex
import subprocess
import sys
import threading

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
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                    help="an environment variable for the saidwho processes, e.g. "
                         "SAIDWHO_MODELS=./models (repeatable); they otherwise get the "
                         "executor's environment")
    ap.add_argument("--allow-errors", action="store_true",
                    help="keep going when saidwho reports a bad document (it is left out of "
                         "the results and named in the executor's stderr); by default the task "
                         "fails")
    return ap.parse_args(argv)


def run_partition(command, env_overrides, allow_errors):
    """A mapPartitions function: the partition's lines through one saidwho process."""

    def run(lines):
        env = dict(os.environ)
        env.setdefault("RAYON_NUM_THREADS", "1")
        env.update(env_overrides)
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

        def feed():
            try:
                for line in lines:
                    proc.stdin.write(line.encode("utf-8") + b"\n")
            except BrokenPipeError:
                pass  # saidwho stopped early; its exit code says why
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        for out in proc.stdout:
            yield out.decode("utf-8").rstrip("\n")
        writer.join()
        code = proc.wait()
        if code != 0 and not allow_errors:
            raise RuntimeError(
                f"{' '.join(command)} exited with {code}; its stderr (in the executor's log) "
                "names the article; --allow-errors keeps going without it"
            )

    return run


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
        command = [args.saidwho, "extract", "--jsonl", "--threads", str(args.threads)]
        command += shlex.split(args.extract_args) + ["-"]
        overrides = dict(kv.split("=", 1) for kv in args.env)
        results = lines.mapPartitions(run_partition(command, overrides, args.allow_errors))
        results.saveAsTextFile(args.output)
    finally:
        sc.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
