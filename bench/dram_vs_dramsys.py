#!/usr/bin/env python3
"""memsim's generic DDR3 controller with `queue: shared` against DRAMSys (tukl-msd/DRAMSys v5.1,
its `GrpFrFcfsWm` scheduler with the `ReadWrite` request buffer) on the same STL traces: bandwidth,
average read latency and ACTs. docs/dram.md, "Against DRAMSys".

    bench/dram_vs_dramsys.py [--memsim build/memsim] [--dramsys BIN] [--requests N] [--work DIR]

BIN is a DRAMSys command-line binary built beside the project (never part of it; docs/dram.md says
how). It is run with a configuration written here: the MT8KTF51264HZ-1G6 of configs/dram-only.yaml
(DDR3-1600K, 8 x MT41K512M8, one rank) with memsim's preset timing, RoBaRaCoCh's address bits,
open page, all-bank refresh at every tREFI, no power-down, every interface delay 0, 32-entry read
and write buffers with watermarks 27 / 16, and the trace player at 800 MHz (one STL clock is one
memory clock). memsim gets the same files with `queue: shared` and `write_drain: ramulator`
(GrpFrFcfsWm's rule: writes once more than 27 wait or no read does, back at 16 or fewer with a
read waiting). Without --dramsys only memsim's side is printed.

Definitions made equal: bandwidth = bytes / the end of the last data burst (DRAMSys: the largest
DataStrobeEnd of a column command in its trace database; memsim: dram.bandwidth_bytes_per_s);
read latency from acceptance into the controller's buffer to the end of the last data beat
(DRAMSys: BEGIN_RESP - END_REQ of each read, its response starting as the data ends with the
delays at 0; memsim: dram.read_latency_avg_ns). The traces come from fixed seeds.
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TCK_PS = 1250
LINES = (4 << 30) // 64  # 64-byte lines of the 4 GiB part

# memsim's MT8KTF51264HZ-1G6 preset (models/dram/ddr3_timing.cpp), in clocks of 1.25 ns.
TIMING = {"tCK": TCK_PS, "CL": 11, "RL": 11, "WL": 8, "AL": 0, "RCD": 11, "RP": 11, "RAS": 28, "RC": 39,
          "RRD": 5, "FAW": 24, "WR": 12, "WTR": 6, "RTP": 6, "CCD": 4, "RFC": 208, "REFI": 6240, "XP": 5,
          "XPDLL": 20, "XS": 216, "XSDLL": 512, "CKE": 4, "CKESR": 5, "DQSCK": 0, "ACTPDEN": 1, "PRPDEN": 1,
          "REFPDEN": 1, "RTRS": 2}
# The die-E IDD currents (mA): DRAMSys needs them in a memspec; no power analysis is run.
POWER = {"vdd": 1.35, "idd0": 55.0, "idd2p0": 18.0, "idd2p1": 32.0, "idd2n": 32.0, "idd3p0": 38.0,
         "idd3p1": 38.0, "idd3n": 38.0, "idd4r": 157.0, "idd4w": 125.0, "idd5": 235.0, "idd6": 20.0}
MEMSIM_SETS = ["memory.generic.queue=shared", "memory.generic.queue_depth=32",
               "memory.generic.write_queue_depth=32", "memory.generic.write_drain=ramulator",
               "memory.generic.write_high_watermark=0.875", "memory.generic.write_low_watermark=0.5"]


def traces(n):
    """(name, [(clock, write, addr)]) of the four comparison traces."""
    rng = random.Random(12345)
    yield "random reads, saturating", [(0, False, rng.randrange(LINES) * 64) for _ in range(n)]
    yield "sequential reads, saturating", [(0, False, i * 64) for i in range(n)]
    rng = random.Random(23456)
    yield "random reads, 1 per 20 clocks", [(20 * i, False, rng.randrange(LINES) * 64) for i in range(n)]
    rng = random.Random(34567)
    yield "random 2:1 reads/writes", [(0, rng.random() < 1 / 3, rng.randrange(LINES) * 64) for _ in range(n)]


def write_resources(d):
    """DRAMSys's resource folder: memspec, address mapping, controller and simulation configs."""
    for sub in ("memspec", "addressmapping", "mcconfig", "simconfig"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    arch = {"burstLength": 8, "dataRate": 2, "nbrOfBanks": 8, "nbrOfColumns": 1024, "nbrOfRanks": 1,
            "nbrOfRows": 65536, "width": 8, "nbrOfDevices": 8, "nbrOfChannels": 1}
    files = {
        "memspec/ddr3.json": {"memspec": {"memoryId": "MT8KTF51264HZ-1G6, memsim preset", "memoryType": "DDR3",
                                          "memarchitecturespec": arch, "mempowerspec": POWER,
                                          "memtimingspec": TIMING}},
        # RoBaRaCoCh on one rank and channel: byte 0-2, column 3-12, bank 13-15, row 16-31.
        "addressmapping/robaracoch.json": {"addressmapping": {
            "BYTE_BIT": list(range(0, 3)), "COLUMN_BIT": list(range(3, 13)), "BANK_BIT": list(range(13, 16)),
            "ROW_BIT": list(range(16, 32))}},
        "mcconfig/wm.json": {"mcconfig": {
            "PagePolicy": "Open", "Scheduler": "GrpFrFcfsWm", "HighWatermark": 27, "LowWatermark": 16,
            "SchedulerBuffer": "ReadWrite", "RequestBufferSizeRead": 32, "RequestBufferSizeWrite": 32,
            "CmdMux": "Oldest", "RespQueue": "Fifo", "RefreshPolicy": "AllBank", "RefreshMaxPostponed": 0,
            "RefreshMaxPulledin": 0, "PowerDownPolicy": "NoPowerDown", "Arbiter": "Simple",
            "MaxActiveTransactions": 128, "RefreshManagement": False, "ArbitrationDelayFw": 0,
            "ArbitrationDelayBw": 0, "ThinkDelayFw": 0, "ThinkDelayBw": 0, "PhyDelayFw": 0, "PhyDelayBw": 0}},
        "simconfig/db.json": {"simconfig": {
            "AddressOffset": 0, "CheckTLM2Protocol": False, "DatabaseRecording": True, "Debug": False,
            "EnableWindowing": False, "PowerAnalysis": False, "SimulationName": "cmp",
            "SimulationProgressBar": False, "StoreMode": "NoStorage", "UseMalloc": False, "WindowSize": 1000}},
    }
    for name, body in files.items():
        with open(os.path.join(d, name), "w") as f:
            json.dump(body, f, indent=1)


def run_dramsys(binary, res, run_dir, stl):
    os.makedirs(run_dir, exist_ok=True)
    config = os.path.join(run_dir, "sim.json")
    with open(config, "w") as f:
        json.dump({"simulation": {"addressmapping": "robaracoch.json", "mcconfig": "wm.json",
                                  "memspec": "ddr3.json", "simconfig": "db.json", "simulationid": "run",
                                  "tracesetup": [{"clkMhz": 800, "name": stl}]}}, f)
    r = subprocess.run([binary, config, res], cwd=run_dir, capture_output=True, text=True)
    if r.returncode:  # (its SystemC banner goes to stderr too: shown only on failure)
        sys.exit(f"dram_vs_dramsys: DRAMSys failed in {run_dir}:\n{r.stdout}{r.stderr}")
    dbs = [p for p in os.listdir(run_dir) if p.endswith(".tdb")]
    if len(dbs) != 1:
        sys.exit(f"dram_vs_dramsys: expected one trace database in {run_dir}, found {dbs}")
    db = sqlite3.connect(os.path.join(run_dir, dbs[0]))
    reads = db.execute("""SELECT resp.PhaseBegin - req.PhaseEnd FROM Transactions t
                          JOIN Phases req ON req.Transact = t.ID AND req.PhaseName = 'REQ'
                          JOIN Phases resp ON resp.Transact = t.ID AND resp.PhaseName = 'RESP'
                          WHERE t.Command = 'R'""").fetchall()
    nbytes = db.execute("SELECT sum(DataLength) FROM Transactions").fetchone()[0]
    end = db.execute("SELECT max(DataStrobeEnd) FROM Phases WHERE PhaseName IN ('RD','RDA','WR','WRA')").fetchone()[0]
    acts = db.execute("SELECT count(*) FROM Phases WHERE PhaseName = 'ACT'").fetchone()[0]
    return {"bw": nbytes / (end * 1e-12), "lat": sum(r[0] for r in reads) / len(reads) / 1000.0 if reads else 0,
            "acts": acts}


def run_memsim(memsim, stl, out_dir):
    cmd = [memsim, "run", "-q", os.path.join(ROOT, "configs/dram-only.yaml"), "--trace", stl, "--out", out_dir]
    for s in MEMSIM_SETS:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out_dir, "stats.json")) as f:
        s = json.load(f)["stats"]
    return {"bw": s["dram.bandwidth_bytes_per_s"], "lat": s["dram.read_latency_avg_ns"], "acts": s["dram.activates"]}


def pct(a, b):
    return "%+.2f %%" % (100.0 * (a - b) / b) if b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--memsim", default=os.path.join(ROOT, "build/memsim"))
    ap.add_argument("--dramsys", help="a DRAMSys command-line binary built beside the project")
    ap.add_argument("--requests", type=int, default=100_000)
    ap.add_argument("--work", help="keep the traces, configurations and outputs here")
    a = ap.parse_args()
    if a.work:
        return compare(a, a.work)
    with tempfile.TemporaryDirectory(prefix="dram_vs_dramsys_") as work:  # DRAMSys's databases are large
        return compare(a, work)


def compare(a, work):
    res = os.path.join(work, "res")
    write_resources(res)
    print(f"{a.requests} requests a trace; DRAMSys {'at ' + a.dramsys if a.dramsys else 'not given'}\n")
    print(f"{'trace':32s}{'DRAMSys GB/s':>14s}{'memsim GB/s':>13s}{'':>10s}{'DRAMSys ns':>12s}"
          f"{'memsim ns':>11s}{'':>10s}{'ACT DRAMSys':>13s}{'ACT memsim':>12s}")
    for k, (name, reqs) in enumerate(traces(a.requests)):
        stl = os.path.join(work, f"t{k}.stl")
        with open(stl, "w") as f:
            f.writelines(f"{c}:\t{'write' if w else 'read'}\t0x{addr:x}\n" for c, w, addr in reqs)
        m = run_memsim(a.memsim, stl, os.path.join(work, f"memsim{k}"))
        d = run_dramsys(a.dramsys, res, os.path.join(work, f"dramsys{k}"), stl) if a.dramsys else None
        if d:
            print(f"{name:32s}{d['bw'] / 1e9:14.4f}{m['bw'] / 1e9:13.4f}{pct(m['bw'], d['bw']):>10s}"
                  f"{d['lat']:12.2f}{m['lat']:11.2f}{pct(m['lat'], d['lat']):>10s}{d['acts']:13d}{int(m['acts']):12d}")
        else:
            print(f"{name:32s}{'-':>14s}{m['bw'] / 1e9:13.4f}{'':>10s}{'-':>12s}{m['lat']:11.2f}{'':>10s}"
                  f"{'-':>13s}{int(m['acts']):12d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
