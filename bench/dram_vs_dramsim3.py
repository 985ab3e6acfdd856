#!/usr/bin/env python3
"""memsim's DDR3 controller (configs/dram-only.yaml) against DRAMSim3 on the traces of docs/dram.md
("Against DRAMSim3"): bandwidth, average read latency, power, and host speed of both.

    bench/dram_vs_dramsim3.py [--memsim build/memsim] [--dramsim3 DIR] [--only NAME]... [--work DIR]
                              [--channels N [--mapping ORDER]]

DIR is a DRAMSim3 checkout built beside the project (never part of it): its build/dramsim3main and
configs/DDR3_4Gb_x8_1600.ini are used, the ini made to match configs/dram-only.yaml as docs/dram.md
says (`REFI` read as `tREFI`, one rank). Without --dramsim3 only memsim's side is printed.
The traces are generated here from fixed seeds (Python's random), so every run sees the same ones.
--channels N runs N channels on both sides (memory.channels; DRAMSim3's channels), the address map
ORDER on both: RoChRaBaCo (default: DRAMSim3's own rochrababgco, the channel just below the row) or
RoBaRaCoCh (consecutive bursts alternate between channels: DRAMSim3's robabgracoch). DRAMSim3's
per-channel statistics are summed (bandwidth, power, requests) and its latencies weighted by reads.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SATURATING, PACED = 600000, 400100  # DRAMSim3's -c; memsim's sim.memory_only.cycles


def random_reads(seed, n, gap):
    rng = random.Random(seed)
    return [(rng.randrange(4 << 30) & ~63, "READ", gap * i) for i in range(n)]


def mixed(seed, n, gap):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a = rng.randrange(4 << 30) & ~63
        out.append((a, "WRITE" if rng.randrange(3) == 0 else "READ", gap * i))
    return out


def sequential(n, gap):
    return [(64 * i, "READ", gap * i) for i in range(n)]


# name: (requests, clocks); the seeds and counts of docs/dram.md
TRACES = {
    "seq_sat": (lambda: sequential(200000, 0), SATURATING),
    "rand_sat": (lambda: random_reads(42, 200000, 0), SATURATING),
    "rand21_sat": (lambda: mixed(42, 200000, 0), SATURATING),
    "rand_p200": (lambda: random_reads(7, 2000, 200), PACED),
    "rand_p20": (lambda: random_reads(7, 20000, 20), PACED),
    "seq_p8": (lambda: sequential(50000, 8), PACED),
    "rand21_p16": (lambda: mixed(7, 25000, 16), PACED),
}


def write_trace(path, reqs):
    with open(path, "w") as f:
        for a, op, c in reqs:
            f.write("0x%x %s %d\n" % (a, op, c))


# memsim's address order -> DRAMSim3's (fields most significant first; DRAMSim3 adds bank groups)
DRAMSIM3_ORDER = {"RoChRaBaCo": "rochrababgco", "RoBaRaCoCh": "robabgracoch"}


def run_memsim(memsim, trace, clocks, work, channels, mapping):
    out = os.path.join(work, "memsim_" + os.path.basename(trace))
    t0 = time.perf_counter()
    sets = ["sim.memory_only.cycles=%d" % clocks]
    if channels > 1:
        sets += ["memory.channels=%d" % channels, "memory.generic.address_mapping=" + mapping]
    cmd = [memsim, "run", os.path.join(ROOT, "configs/dram-only.yaml"), "--trace", trace, "--out", out, "--quiet"]
    for x in sets:
        cmd += ["--set", x]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    host = time.perf_counter() - t0
    with open(os.path.join(out, "stats.json")) as f:
        s = json.load(f)["stats"]
    # DRAMSim3's average_bandwidth divides by the whole run (num_cycles x tCK), not by the last
    # completion as dram.bandwidth_bytes_per_s does: the same here, dram.cycles being the run's clocks.
    bw = (s["dram.bytes_read"] + s["dram.bytes_written"]) / (s["dram.cycles"] * 1.25)
    return {"bw": bw, "lat": s["dram.read_latency_avg_ns"],
            "mw": s["dram.power_mw"], "host": host, "served": s["dram.reads"] + s["dram.writes"]}


def dramsim3_ini(src, work, channels, mapping):
    # docs/dram.md: its code reads tREFI (the stock file spells REFI) and one rank of 4 GB.
    out = os.path.join(work, "ddr3_1600_4gb_1rank_%dch.ini" % channels)
    with open(src) as f, open(out, "w") as g:
        for line in f:
            if line.startswith("REFI = "):
                line = "t" + line
            elif line.startswith("channel_size = "):
                line = "channel_size = 4096\n"
            elif line.startswith("channels = "):
                line = "channels = %d\n" % channels
            elif line.startswith("address_mapping = ") and channels > 1:
                line = "address_mapping = %s\n" % DRAMSIM3_ORDER[mapping]
            g.write(line)
    return out


def run_dramsim3(exe, ini, trace, clocks, work):
    out = os.path.join(work, "ds3_" + os.path.basename(trace))
    os.makedirs(out, exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run([exe, ini, "-c", str(clocks), "-t", trace, "-o", out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host = time.perf_counter() - t0
    with open(os.path.join(out, "dramsim3.json")) as f:
        chans = list(json.load(f).values())  # one object per channel: "0", "1", ...
    tck_ns = 1.25  # DDR3_4Gb_x8_1600.ini: tCK 1.25
    reads = sum(c["num_reads_done"] for c in chans)
    lat = sum(c["average_read_latency"] * c["num_reads_done"] for c in chans) / reads if reads else 0
    return {"bw": sum(c["average_bandwidth"] for c in chans), "lat": lat * tck_ns,
            "mw": sum(c["average_power"] for c in chans), "host": host,
            "served": reads + sum(c["num_writes_done"] for c in chans)}


def pct(a, b):
    return "%+.2f %%" % (100.0 * (a - b) / b) if b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--memsim", default=os.path.join(ROOT, "build/memsim"))
    ap.add_argument("--dramsim3", help="a DRAMSim3 checkout with build/dramsim3main")
    ap.add_argument("--only", action="append", choices=sorted(TRACES), help="run only these traces")
    ap.add_argument("--work", help="directory for the traces and outputs (default: a temporary one)")
    ap.add_argument("--channels", type=int, default=1, choices=[1, 2, 4, 8])
    ap.add_argument("--mapping", default="RoChRaBaCo", choices=sorted(DRAMSIM3_ORDER))
    args = ap.parse_args()
    if not os.access(args.memsim, os.X_OK):
        sys.exit("dram_vs_dramsim3: %s is not built (scripts/build)" % args.memsim)
    exe = ini = None
    if args.dramsim3:
        exe = os.path.join(args.dramsim3, "build", "dramsim3main")
        src_ini = os.path.join(args.dramsim3, "configs", "DDR3_4Gb_x8_1600.ini")
        if not os.access(exe, os.X_OK) or not os.path.exists(src_ini):
            sys.exit("dram_vs_dramsim3: %s needs build/dramsim3main and configs/DDR3_4Gb_x8_1600.ini" % args.dramsim3)
    work = args.work or tempfile.mkdtemp(prefix="dram_vs_dramsim3_")
    os.makedirs(work, exist_ok=True)
    if exe:
        ini = dramsim3_ini(src_ini, work, args.channels, args.mapping)
    names = args.only or list(TRACES)
    print("%-11s %10s %10s %9s %10s %10s %9s %9s %9s %9s %9s" %
          ("trace", "memsim GB/s", "DRAMSim3", "diff", "memsim ns", "DRAMSim3", "diff", "memsim mW", "DRAMSim3",
           "memsim M/s", "DRAMSim3"))
    for name in names:
        make, clocks = TRACES[name]
        reqs = make()
        trace = os.path.join(work, name + ".trc")
        write_trace(trace, reqs)
        m = run_memsim(args.memsim, trace, clocks, work, args.channels, args.mapping)
        d = run_dramsim3(exe, ini, trace, clocks, work) if exe else None
        print("%-11s %10.3f %10s %9s %10.2f %10s %9s %9.1f %9s %9.2f %9s" %
              (name, m["bw"], "%.3f" % d["bw"] if d else "-", pct(m["bw"], d["bw"]) if d else "-", m["lat"],
               "%.2f" % d["lat"] if d else "-", pct(m["lat"], d["lat"]) if d else "-", m["mw"],
               "%.1f" % d["mw"] if d else "-", m["served"] / m["host"] / 1e6,
               "%.2f" % (d["served"] / d["host"] / 1e6) if d else "-"))
    print("(M/s: requests served per host second of the whole run, both reading the same text trace; the "
          "saturating traces run %d clocks, the paced ones %d, as docs/dram.md)" % (SATURATING, PACED))


if __name__ == "__main__":
    main()
