#!/usr/bin/env python3
"""memsim run throughput and memory on the bundled lackey traces: the default machine (the x86-64
preset: MMU, L1I/L1D/L2/LLC, kernel model) in timing and functional mode, the same machine without
MMU and caches (the core straight to memory), and `memsim trace stats` on the same trace (reading
plus a summary with an exact distinct-address set) as the plain reference loop. Rates are memory
accesses the core issued per host second (issue #5's aim for the whole timed path: 2 million);
the peak RSS of each run must not grow with trace length (traces are streamed).

usage: bench/run_throughput.py [--memsim build/memsim] [--repeat 3]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRACES = ["traces/true.lackey.zst", "traces/default.lackey.zst", "traces/sort-words.lackey.zst"]


def timed(cmd):
    """Wall seconds and the run's peak RSS in KiB (GNU time's %M)."""
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    return dt, int(r.stderr.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--memsim", default=os.path.join(ROOT, "build", "memsim"))
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'trace':32} {'accesses':>10} {'trace stats':>12} {'functional':>11} {'timing':>9} "
          f"{'timing, no MMU/caches':>22} {'timing/reader':>14} {'peak RSS MiB':>13}")
    for trace in TRACES:
        path = os.path.join(ROOT, trace)
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([args.memsim, "run", "-q", "--trace", path, "--out", out, "--mode", "functional"],
                           check=True, stdout=subprocess.DEVNULL)
            events = json.load(open(os.path.join(out, "stats.json")))["stats"]["cpu.accesses"]
        best = {}
        rss = 0
        for name, cmd in [("reader", [args.memsim, "trace", "stats", path]),
                          ("functional", [args.memsim, "run", "-q", "--mode", "functional", "--trace", path]),
                          ("timing", [args.memsim, "run", "-q", "--mode", "timing", "--trace", path]),
                          ("bare", [args.memsim, "run", "-q", "--mode", "timing", "--trace", path,
                                    "--set", "mmu.model=none", "--set", "cache.model=none"])]:
            runs = [timed(cmd) for _ in range(args.repeat)]
            best[name] = min(r[0] for r in runs)
            if name == "timing":
                rss = max(r[1] for r in runs)
        rate = {k: events / v / 1e6 for k, v in best.items()}
        print(f"{trace:32} {int(events):>10} {rate['reader']:>12.2f} {rate['functional']:>11.2f} {rate['timing']:>9.2f} "
              f"{rate['bare']:>22.2f} {best['timing'] / best['reader']:>14.2f} {rss / 1024:>13.1f}")
    print(f"(rates in million accesses per host second, best of {args.repeat} runs; "
          "peak RSS of the default timing runs)")


if __name__ == "__main__":
    sys.exit(main())
