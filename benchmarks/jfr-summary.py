#!/usr/bin/env python3
"""Summarises a JFR recording of the app under test (benchmarks/run-e2e.sh --profile writes one per profiled run):
where its CPU went by thread (JIT compiler threads included), how long the JIT compiled, and which code the Java
threads were running (execution samples, inclusive share per package prefix).

    benchmarks/jfr-summary.py benchmarks/target/e2e/runs/<id>/app.jfr

Needs the JDK's `jfr` tool on PATH (or JAVA_HOME).
"""
import collections
import os
import re
import subprocess
import sys


def jfr(*args):
    tool = os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if "JAVA_HOME" in os.environ else "jfr"
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def thread_name(raw):
    # Kafka Streams names its threads after the application id (a per-run uuid in the benchmark): fold them.
    name = re.sub(r"[0-9a-f]{8}(-[0-9a-f]+)*", "ID", raw)
    return re.sub(r"\d+", "N", name)


def main(path):
    loads = collections.defaultdict(list)
    for event in jfr("print", "--events", "jdk.ThreadCPULoad", path).split("jdk.ThreadCPULoad")[1:]:
        user = float(re.search(r"user = ([\d.]+)%", event).group(1))
        system = float(re.search(r"system = ([\d.]+)%", event).group(1))
        thread = re.search(r'eventThread = "([^"]+)"', event)
        loads[thread_name(thread.group(1) if thread else "?")].append(user + system)
    print("CPU by thread (mean share of the machine while sampled):")
    for name, values in sorted(loads.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))[:12]:
        print(f"  {sum(values) / len(values):5.1f}%  {name}")

    compile_ms = sum(float(m) for m in re.findall(r"duration = ([\d.]+) ms", jfr("print", "--events", "jdk.Compilation", path)))
    print(f"JIT compilations recorded (those over the recording's threshold): {compile_ms:.0f} ms")

    samples = jfr("print", "--events", "jdk.ExecutionSample", path).split("jdk.ExecutionSample")[1:]
    inclusive = collections.Counter()
    for sample in samples:
        seen = set()
        for frame in re.findall(r"^\s+([\w.$<>]+)\(", sample, re.M):
            prefix = ".".join(frame.split(".")[:3])
            if prefix not in seen:
                seen.add(prefix)
                inclusive[prefix] += 1
    print(f"Java execution samples: {len(samples)}; inclusive share by package:")
    for prefix, count in inclusive.most_common(14):
        print(f"  {100 * count / max(1, len(samples)):5.1f}%  {prefix}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
