#!/usr/bin/env python3
"""Turns JMH JSON results (benchmarks/target/jmh-<jdk>.json) into one Markdown table per JDK.

Rows are (size, operation); columns are MiB/s per implementation, computed from the median of all measurement
iterations (less sensitive to a noisy iteration than JMH's mean) as ops/s x size / 2^20, followed by ratios:
ours = sealstream one-shot, stream = sealstream streaming, raw = raw JDK AES-GCM (the limit), best peer = the fastest
of Tink and the AWS Encryption SDK at that size. Python 3 standard library only.

Usage: jmh-report.py RESULT.json...
"""
import json
import os
import re
import sys

IMPLEMENTATIONS = [
    "raw_jdk_gcm",
    "sealstream",
    "sealstream_stream",
    "tink_4kb",
    "tink_1mb",
    "esdk_signing",
    "esdk_committing",
]
PEERS = ["tink_4kb", "tink_1mb", "esdk_signing", "esdk_committing"]
OPERATIONS = ["encrypt", "decrypt"]
METHOD = re.compile(r"\.(?P<impl>[a-z0-9_]+)_(?P<op>encrypt|decrypt)$")


def median_score(metric):
    percentiles = metric.get("scorePercentiles") or {}
    return float(percentiles.get("50.0", metric["score"]))


def load(path):
    """{(size, op): {impl: MiB/s}} and the JDK version the results were taken on."""
    with open(path, encoding="utf-8") as f:
        runs = json.load(f)
    table = {}
    jdk = None
    for run in runs:
        match = METHOD.search(run["benchmark"])
        if not match or match["impl"] not in IMPLEMENTATIONS:
            continue
        metric = run["primaryMetric"]
        if metric["scoreUnit"] != "ops/s":
            raise SystemExit(f"{path}: {run['benchmark']} is in {metric['scoreUnit']}, expected ops/s")
        size = int(run["params"]["size"])
        table.setdefault((size, match["op"]), {})[match["impl"]] = median_score(metric) * size / 2**20
        jdk = jdk or run.get("jdkVersion")
    return table, jdk


def human_size(size):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift} {unit}"
    return f"{size} B"


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return "–"
    return f"{numerator / denominator:.2f}"


def mib(value):
    return "–" if value is None else f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def report(path):
    table, jdk = load(path)
    label = os.path.splitext(os.path.basename(path))[0]
    print(f"### {label}" + (f" (JDK {jdk})" if jdk else ""))
    print()
    if not table:
        print("_no results_")
        print()
        return
    present = [impl for impl in IMPLEMENTATIONS if any(impl in row for row in table.values())]
    ratios = ["ours/raw", "ours/best peer", "stream/raw", "stream/best peer"]
    print("| size | op | " + " | ".join(present + ratios) + " |")
    print("|---:|:---|" + "---:|" * (len(present) + len(ratios)))
    for size, op in sorted(table, key=lambda key: (key[0], OPERATIONS.index(key[1]))):
        row = table[(size, op)]
        peers = [row[p] for p in PEERS if p in row]
        best_peer = max(peers) if peers else None
        ours, stream, raw = row.get("sealstream"), row.get("sealstream_stream"), row.get("raw_jdk_gcm")
        cells = [mib(row.get(impl)) for impl in present]
        cells += [ratio(ours, raw), ratio(ours, best_peer), ratio(stream, raw), ratio(stream, best_peer)]
        print(f"| {human_size(size)} | {op} | " + " | ".join(cells) + " |")
    print()
    print("MiB/s from the median iteration; ours = sealstream one-shot, stream = sealstream streaming, "
          "best peer = fastest of Tink/ESDK present at that size (ESDK stops at 1 MiB).")
    print()


def main(paths):
    if not paths:
        raise SystemExit(__doc__)
    for path in paths:
        report(path)


if __name__ == "__main__":
    main(sys.argv[1:])
