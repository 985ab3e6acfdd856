#!/usr/bin/env python3
"""One pass against separate runs: the same sweep (default: cachegrind's L1D size x ways on a lackey
trace; --sweep configs/sweeps/dtlb-geometry.yaml for TLB geometries) evaluated in one pass
(`memsim sweep`: LRU stack distances over the trace or a TLB log, plus one full run) and as one
`memsim run` per point (`memsim sweep --separate`), both -j J. Prints wall seconds for each,
the speed ratio, and checks the two results.csv are identical.

usage: bench/sweep_bench.py [--memsim build/memsim] [--sweep configs/sweeps/l1d-size-assoc.yaml] [-j 1]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t0, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--memsim", default=os.path.join(ROOT, "build/memsim"))
    ap.add_argument("--sweep", default=os.path.join(ROOT, "configs/sweeps/l1d-size-assoc.yaml"))
    ap.add_argument("-j", type=int, default=1, help="points at once for both (default 1: host time per point)")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="memsim-sweep-bench-")
    try:
        one_s, one = run([a.memsim, "sweep", a.sweep, "-j", str(a.j), "--out", f"{work}/one"])
        sep_s, sep = run([a.memsim, "sweep", a.sweep, "-j", str(a.j), "--separate", "--out", f"{work}/separate"])
        for name, r in (("one pass", one), ("separate", sep)):
            if r.returncode not in (0, 1):
                sys.exit(f"{name}: exit {r.returncode}\n{r.stderr}")
        same = open(f"{work}/one/results.csv").read() == open(f"{work}/separate/results.csv").read()
        points = sum(1 for _ in open(f"{work}/one/results.csv")) - 1
        note = [l for l in one.stdout.splitlines() if "one pass" in l]
        print(f"sweep {os.path.relpath(a.sweep, ROOT)}: {points} points, -j {a.j}")
        print(f"  {note[0] if note else 'one pass NOT used'}")
        print(f"  one pass   {one_s:8.2f} s")
        print(f"  separate   {sep_s:8.2f} s   ({sep_s / points:.3f} s per point)")
        print(f"  ratio      {sep_s / one_s:8.1f}x")
        print(f"  results.csv identical: {'yes' if same else 'NO'}")
        sys.exit(0 if same else 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
