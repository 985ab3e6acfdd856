#!/usr/bin/env python3
"""The machine's loosely timed memory path against the event-driven controller, on the same
requests. A machine run (a config and a trace) writes every request its memory receives
(memory.request_log); that log is then replayed by the same controller alone, once event-driven
(every arrival known, queued requests reordered: what the AT target computes) and once through
mem::Port::access one request at a time in arrival order (the machine's path: backfill,
controller.h). Printed: read latency (avg, p50, p99), ACTs and bandwidth each way, and the machine's
own figures (its calls are not in arrival order: a page walk's access comes after later ones).

--split CYCLE also compares the requests before and after that memory clock apart (a trace's
set-up phase and its measured phase). --random N: instead of --trace, a generated one: a 64 MiB
anonymous mapping written once (its page faults and clearing), then N 8-byte reads at random
offsets (seed 7), the access pattern of a hash table or a pointer chase; --split defaults to
the end of the writes there.

--set KEY=VALUE (repeatable) goes to the machine run: `--set sim.protocol=at` runs the machine
approximately timed, whose "machine" column then equals the event-driven replay of its own log.

usage: bench/dram_lt_vs_event.py --trace T | --random N [--config configs/default.yaml] [--split CYCLE]
                                 [--set KEY=VALUE ...] [--memsim build/memsim] [--dram-bench build/dram_bench]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEYS = ["dram.reads", "dram.read_latency_avg_ns", "dram.read_latency_p50_ns", "dram.read_latency_p99_ns",
        "dram.activates", "dram.bandwidth_bytes_per_s", "dram.backfilled_commands"]


def bench_stats(dram_bench, config, log, port):
    cmd = [dram_bench, "--trace", log, "--config", config] + (["--port"] if port else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    stats = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("dram."):
            stats[parts[0]] = float(parts[1])
    return stats


def table(title, columns):
    print(title)
    print(f"{'':28s}" + "".join(f"{name:>16s}" for name, _ in columns))
    for k in KEYS:
        row = f"{k:28s}"
        for _, s in columns:
            v = s.get(k)
            row += f"{v:16.6g}" if v is not None else f"{'-':>16s}"
        print(row)
    ev, lt = columns[-2][1], columns[-1][1]
    a, b = ev.get("dram.read_latency_avg_ns"), lt.get("dram.read_latency_avg_ns")
    if a and b:
        print(f"read latency avg, Port::access against event-driven: {100 * (b - a) / a:+.2f} %")
    print()


def first_random_clock(a, d):
    """The memory clock at which the set-up (the mapping written) ends: a run of the set-up alone."""
    setup = os.path.join(d, "setup.trace")
    with open(a.trace) as f, open(setup, "w") as out:
        out.writelines(f.readlines()[:4])
    subprocess.run([a.memsim, "run", "-q", a.config, "--trace", setup, "--out", os.path.join(d, "setup")], check=True,
                   stdout=subprocess.DEVNULL)
    with open(os.path.join(d, "setup", "stats.json")) as f:
        s = json.load(f)["stats"]
    return int(s["dram.cycles"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trace")
    ap.add_argument("--random", type=int, default=0)
    ap.add_argument("--config", default=os.path.join(ROOT, "configs/default.yaml"))
    ap.add_argument("--split", type=int, default=0)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--memsim", default=os.path.join(ROOT, "build/memsim"))
    ap.add_argument("--dram-bench", default=os.path.join(ROOT, "build/dram_bench"))
    a = ap.parse_args()
    if bool(a.trace) == bool(a.random):
        ap.error("give --trace or --random")
    with tempfile.TemporaryDirectory() as d:
        if a.random:
            a.trace = os.path.join(d, "random.trace")
            rng = random.Random(7)
            with open(a.trace, "w") as f:
                f.write("# memsim-trace v1\nthread 1\nmmap 1 0x4000000 rw\ntouch 1\n")
                for _ in range(a.random):
                    f.write(f"touch 1 {rng.randrange(0, 0x4000000 - 8) & ~7} 8 r\n")
        log = os.path.join(d, "requests.trace")
        sets = [x for kv in a.set for x in ("--set", kv)]
        subprocess.run([a.memsim, "run", "-q", a.config, "--trace", a.trace, "--set", "memory.request_log=" + log,
                        "--out", os.path.join(d, "run")] + sets, check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(d, "run", "stats.json")) as f:
            raw = json.load(f)["stats"]
        machine = {k: (v["mean"] if isinstance(v, dict) else v) for k, v in raw.items() if k in KEYS}
        print(f"{a.trace} on {a.config}: simulated {raw['sim.time_ps'] / 1e6:.1f} us\n")
        table("whole run", [("machine", machine), ("event-driven", bench_stats(a.dram_bench, a.config, log, False)),
                            ("Port::access", bench_stats(a.dram_bench, a.config, log, True))])
        if a.random and not a.split:
            # The first read's request: the writes' requests end before it.
            a.split = first_random_clock(a, d)
        if a.split:
            with open(log) as f:
                lines = f.readlines()
            header, body = lines[0], lines[1:]
            for name, part in (("before", [l for l in body if int(l.split()[2]) < a.split]),
                               ("after", [l for l in body if int(l.split()[2]) >= a.split])):
                p = os.path.join(d, name + ".trace")
                with open(p, "w") as f:
                    f.write(header)
                    f.writelines(part)
                table(f"requests {name} clock {a.split} ({len(part)})",
                      [("event-driven", bench_stats(a.dram_bench, a.config, p, False)),
                       ("Port::access", bench_stats(a.dram_bench, a.config, p, True))])
    return 0


if __name__ == "__main__":
    sys.exit(main())
