#!/usr/bin/env python3
"""memsim's generic DDR3 controller with `queue: shared` (one read and one write queue, write-drain
watermarks) against Ramulator v1 (CMU-SAFARI/ramulator, `--mode=dram`) on saturating traces:
bandwidth, average read latency, and host speed of both. docs/dram.md, "Against Ramulator".

    bench/dram_vs_ramulator.py [--memsim build/memsim] [--ramulator DIR] [--only NAME]...
                               [--work DIR] [--feed per_clock|ld_st] [--acts] [--set K=V]...
                               [--ranks 1|2]

DIR is a Ramulator v1 checkout built beside the project (never part of it; `make CXX=g++` in it):
its ./ramulator binary is run with a configuration written here (DDR3, DDR3_1600K, DDR3_4Gb_x8,
1 channel, 1 rank: the 4 GB MT8KTF51264HZ-1G6 of configs/dram-only.yaml) and its default
RoBaRaCoCh mapping. Without --ramulator only memsim's side is printed.

Ramulator v1 has no configuration key for its controller: 32-entry read and write queues,
FRFCFS_Cap (cap 16), open rows, write mode above 80 % / below 20 % of the write queue are set in
src/Controller.h and src/Scheduler.h. memsim is set to the same where it has a key
(SHARED_SETS below). Its dram mode reads `0xADDR R|W` lines and offers one request per memory
clock, as fast as the queues take them, with no per-request time (src/Main.cpp run_dramtrace), so
every trace here is saturating; memsim gets the same requests in DRAMSim3's format with request
i at cycle i (--feed per_clock, the default: Ramulator's one offer a clock) or in Ramulator 2's
`LD|ST ADDR` (--feed ld_st: all at cycle 0). Both run each trace to its end, writes drained.

Definitions made equal: bandwidth = requests accepted x 64 B / the run's clocks x tCK (Ramulator:
incoming_requests, dram_cycles; memsim: dram.reads + dram.writes, dram.cycles); read latency from
the clock a read enters the controller's queue to its last data beat (Ramulator:
read_latency_avg_0 = (RD + CL + nBL) - enqueue clock, in memory clocks x tCK 1.25 ns; memsim:
dram.read_latency_avg_ns); a read answered from the write queue counts 0 in both.
The traces are generated here from fixed seeds (Python's random), so every run sees the same ones.
--acts runs both a second time with their command traces (Ramulator: record_cmd_trace) and counts
the ACTs issued and the wasted ones (a row closed by PRE or PREA before any column command);
the first run, without command traces, gives the host speed. --set K=V adds memsim settings
(e.g. memory.generic.queue_depth=34, docs/dram.md). two_streams tells the schedulers apart:
Ramulator's default FRFCFS_Cap lets an older request's PRE close a row that younger queued
requests hit; memsim's frfcfs holds it, as Ramulator's FRFCFS_PriorHit does (a copy built with
src/Scheduler.h:74 set to it gives memsim's figures on that trace). --ranks 2: Ramulator's
ranks = 2 against memsim's MT16KTF1G64HZ-1G6 (8 GB, two ranks of the same dies), random
addresses over the 8 GB.

To repeat (Ramulator at 214f635, 2023-08-29):
    git clone https://github.com/CMU-SAFARI/ramulator /tmp/ramulator && make -C /tmp/ramulator -j2 CXX=g++
    bench/dram_vs_ramulator.py --ramulator /tmp/ramulator --acts
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TCK_NS = 1.25  # DDR3_1600K: tCK (3/0.4)/6 ns (Ramulator src/DDR3.h); MT8KTF51264HZ-1G6: 1.25 ns
BURST = 64     # Ramulator: prefetch_size 8 x channel_width 64 / 8 (src/Memory.h tx)

# Ramulator v1's fixed controller (src/Controller.h, src/Scheduler.h) in memsim's keys.
# write mode: writeq.size() > int(0.8 x 32) = 25, i.e. at 26 = ceil(0.8125 x 32), or with no read
# waiting; back to reads when writeq.size() < int(0.2 x 32) = 6 with reads waiting, i.e. at
# 5 = floor(0.15625 x 32).
SHARED_SETS = [
    "memory.generic.queue=shared",
    "memory.generic.write_drain=ramulator",
    "memory.generic.queue_depth=32",
    "memory.generic.write_queue_depth=32",
    "memory.generic.write_high_watermark=0.8125",
    "memory.generic.write_low_watermark=0.15625",
    "memory.generic.scheduler=frfcfs",
    "memory.generic.row_hit_cap=16",
    "memory.generic.page_policy=open",
    "memory.generic.address_mapping=RoBaRaCoCh",
    "memory.generic.refresh_postpone=0",
]

RAMULATOR_CFG = """standard = DDR3
channels = 1
ranks = 1
speed = DDR3_1600K
org = DDR3_4Gb_x8
record_cmd_trace = off
print_cmd_trace = off
translation = None
"""


SIZE = 4 << 30  # bytes the random addresses cover: 4 GB a rank (--ranks)


def random_mix(seed, n, write_one_in):
    # write_one_in 0: reads only; 3: a write when randrange(3) == 0 (2:1), as bench/dram_vs_dramsim3.py
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        a = rng.randrange(SIZE) & ~63
        out.append((a, write_one_in > 0 and rng.randrange(write_one_in) == 0))
    return out


def sequential(n, write=False):
    return [(64 * i, write) for i in range(n)]


def sequential_mix(n, write_one_in, seed):
    rng = random.Random(seed)
    return [(64 * i, rng.randrange(write_one_in) == 0) for i in range(n)]


def two_streams(n):
    # two sequential read streams interleaved, in the same bank a row apart (RoBaRaCoCh: the row
    # starts at bit 16), so each one's row hits compete with the other's row conflicts
    return [((i // 2) * 64 + (i % 2) * (1 << 16), False) for i in range(n)]


# name: requests (address, write); seeds and counts of bench/dram_vs_dramsim3.py's saturating traces
TRACES = {
    "seq_sat": lambda: sequential(200000),
    "rand_sat": lambda: random_mix(42, 200000, 0),
    "rand21_sat": lambda: random_mix(42, 200000, 3),
    "rand11_sat": lambda: random_mix(42, 200000, 2),
    "seqw_sat": lambda: sequential(200000, True),
    "seq21_sat": lambda: sequential_mix(200000, 3, 42),
    "rand_2k": lambda: random_mix(7, 2000, 0),
    "two_streams": lambda: two_streams(200000),
}


def write_traces(work, name, reqs):
    ram = os.path.join(work, name + ".ramulator.trace")
    ds3 = os.path.join(work, name + ".per_clock.trc")
    ldst = os.path.join(work, name + ".ld_st.trace")
    with open(ram, "w") as f, open(ds3, "w") as g, open(ldst, "w") as h:
        for i, (a, w) in enumerate(reqs):
            # Ramulator v1 src/Processor.cpp Trace::get_dramtrace_request: hex address, then R or W;
            # the last line needs its newline (a line ending at EOF is dropped).
            f.write("0x%x %s\n" % (a, "W" if w else "R"))
            g.write("0x%x %s %d\n" % (a, "WRITE" if w else "READ", i))
            h.write("%s 0x%x\n" % ("ST" if w else "LD", a))
    return ram, {"per_clock": ds3, "ld_st": ldst}


def count_acts(path):
    """ACTs in a command trace, and those whose row was closed (PRE, PREA) before any RD/WR to it.
    memsim: 'CYCLE CMD RANK BANK ROW COLUMN'; Ramulator v1: 'CYCLE,CMD[,BANK]' (one file per rank)."""
    acts = wasted = 0
    used = {}  # bank -> a column command since its ACT
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            ramulator = "," in line
            w = line.replace(",", " ").split()
            if len(w) < 2:
                continue
            cmd = w[1]
            bank = (w[2] if len(w) > 2 else None) if ramulator else tuple(w[2:4])
            if cmd == "ACT":
                acts += 1
                used[bank] = False
            elif cmd in ("RD", "WR", "RDA", "WRA"):
                used[bank] = True
            elif cmd == "PRE":
                wasted += used.pop(bank, True) is False
            elif cmd == "PREA":  # memsim's closes the banks of its rank (Ramulator's files are per rank)
                closed = [k for k in used if ramulator or k[0] == w[2]]
                wasted += sum(1 for k in closed if not used.pop(k))
    return acts, wasted


def run_memsim(memsim, trace, fmt, work, extra, command_trace=None):
    out = os.path.join(work, "memsim_" + os.path.basename(trace))
    cmd = [memsim, "run", os.path.join(ROOT, "configs/dram-only.yaml"), "--trace", trace,
           "--trace-format", fmt, "--out", out, "--quiet"]
    if command_trace:
        extra = extra + ["memory.generic.command_trace=" + command_trace]
    for x in SHARED_SETS + extra:
        cmd += ["--set", x]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    host = time.perf_counter() - t0
    with open(os.path.join(out, "stats.json")) as f:
        s = json.load(f)["stats"]
    served = s["dram.reads"] + s["dram.writes"]
    return {"bw": served * BURST / (s["dram.cycles"] * TCK_NS), "lat": s["dram.read_latency_avg_ns"],
            "host": host, "served": served}


def ramulator_stats(path):
    st = {}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s*ramulator\.(\S+)\s+(\S+)", line)
            if m:
                try:
                    st[m.group(1)] = float(m.group(2))
                except ValueError:
                    pass
    return st


def run_ramulator(exe, cfg, trace, work):
    out = os.path.join(work, "ramulator_" + os.path.basename(trace) + ".stats")
    t0 = time.perf_counter()
    # cwd: record_cmd_trace writes cmd-trace-chan-0-rank-0.cmdtrace there (src/Controller.h)
    subprocess.run([exe, cfg, "--mode=dram", "--stats", out, trace], check=True, cwd=work,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host = time.perf_counter() - t0
    s = ramulator_stats(out)
    served = s["incoming_requests"]
    dram_bytes = s["read_transaction_bytes_0"] + s["write_transaction_bytes_0"]
    lat = s["read_latency_avg_0"]  # nan without reads (0 / 0)
    return {"bw": served * BURST / (s["dram_cycles"] * TCK_NS), "lat": lat * TCK_NS if lat == lat else 0.0,
            "host": host, "served": served, "dram_bytes": dram_bytes}


def pct(a, b):
    return "%+.2f %%" % (100.0 * (a - b) / b) if b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--memsim", default=os.path.join(ROOT, "build/memsim"))
    ap.add_argument("--ramulator", help="a Ramulator v1 checkout with its ./ramulator built")
    ap.add_argument("--only", action="append", choices=sorted(TRACES), help="run only these traces")
    ap.add_argument("--work", help="directory for the traces and outputs (default: a temporary one)")
    ap.add_argument("--feed", default="per_clock", choices=["per_clock", "ld_st"],
                    help="memsim's trace: request i at cycle i (Ramulator's one offer a clock) or all at 0")
    ap.add_argument("--set", action="append", default=[], metavar="K=V", help="more memsim settings")
    ap.add_argument("--acts", action="store_true", help="also count ACTs and wasted ACTs from command traces")
    ap.add_argument("--ranks", type=int, default=1, choices=[1, 2],
                    help="2: Ramulator's ranks = 2 against MT16KTF1G64HZ-1G6 (8 GB)")
    args = ap.parse_args()
    global SIZE
    SIZE = args.ranks << 32
    if args.ranks == 2:
        args.set = ["memory.ddr3.part=MT16KTF1G64HZ-1G6", "memory.size=8GiB"] + args.set
    if not os.access(args.memsim, os.X_OK):
        sys.exit("dram_vs_ramulator: %s is not built (scripts/build)" % args.memsim)
    exe = None
    if args.ramulator:
        exe = os.path.join(os.path.abspath(args.ramulator), "ramulator")
        if not os.access(exe, os.X_OK):
            sys.exit("dram_vs_ramulator: %s has no built ./ramulator (make CXX=g++ in it)" % args.ramulator)
    work = os.path.abspath(args.work or tempfile.mkdtemp(prefix="dram_vs_ramulator_"))
    os.makedirs(work, exist_ok=True)
    ram_cfg = RAMULATOR_CFG.replace("ranks = 1", "ranks = %d" % args.ranks)
    cfg = os.path.join(work, "ddr3_1600k_4gb_x8_1ch_%drank.cfg" % args.ranks)
    with open(cfg, "w") as f:
        f.write(ram_cfg)
    cfg_cmds = os.path.join(work, "ddr3_1600k_4gb_x8_1ch_%drank_cmds.cfg" % args.ranks)
    with open(cfg_cmds, "w") as f:
        f.write(ram_cfg.replace("record_cmd_trace = off", "record_cmd_trace = on"))
    fmt = {"per_clock": "dramsim3", "ld_st": "ramulator"}[args.feed]
    names = args.only or list(TRACES)
    print("%-11s %11s %10s %9s %10s %10s %9s %10s %9s %16s %16s" %
          ("trace", "memsim GB/s", "Ramulator", "diff", "memsim ns", "Ramulator", "diff",
           "memsim M/s", "Ramulator", "memsim ACT/waste", "Ramulator"))
    for name in names:
        reqs = TRACES[name]()
        ram_trace, ms_traces = write_traces(work, name, reqs)
        m = run_memsim(args.memsim, ms_traces[args.feed], fmt, work, args.set)
        r = run_ramulator(exe, cfg, ram_trace, work) if exe else None
        if r and r["dram_bytes"] != r["served"] * BURST:
            print("  (%s: Ramulator moved %d bytes to or from DRAM for %d requests: forwarded reads)" %
                  (name, r["dram_bytes"], r["served"]))
        macts = racts = "-"
        if args.acts:
            mcmd = os.path.join(work, name + ".memsim.cmd")
            run_memsim(args.memsim, ms_traces[args.feed], fmt, work, args.set, mcmd)
            macts = "%d/%d" % count_acts(mcmd)
            if exe:
                run_ramulator(exe, cfg_cmds, ram_trace, work)
                # one file per rank: cmd-trace-chan-0-rank-R.cmdtrace
                counts = [count_acts(os.path.join(work, "cmd-trace-chan-0-rank-%d.cmdtrace" % k))
                          for k in range(args.ranks)]
                racts = "%d/%d" % (sum(c[0] for c in counts), sum(c[1] for c in counts))
        reads = any(not w for _, w in reqs)
        print("%-11s %11.3f %10s %9s %10s %10s %9s %10.2f %9s %16s %16s" %
              (name, m["bw"], "%.3f" % r["bw"] if r else "-", pct(m["bw"], r["bw"]) if r else "-",
               "%.2f" % m["lat"] if reads else "-", "%.2f" % r["lat"] if r and reads else "-",
               pct(m["lat"], r["lat"]) if r and reads else "-",
               m["served"] / m["host"] / 1e6, "%.2f" % (r["served"] / r["host"] / 1e6) if r else "-",
               macts, racts))
    print("(GB/s: requests x 64 B over each run's clocks, trace run to its end; ns: enqueue to last data "
          "beat; ACT/waste: ACTs issued / closed unused (--acts); M/s: requests per host second of the whole run, both reading a text trace)")


if __name__ == "__main__":
    main()
