#!/usr/bin/env bash
# The arena-retention example (README.md): memsim on each configuration of this folder beside
# workers.c run natively under the same malloc settings, one table. A few seconds.
#
#     configs/examples/arena-retention/run.sh       # MEMSIM=path/to/memsim to pick the binary
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
memsim=${MEMSIM:-$root/build/memsim}
[ -x "$memsim" ] || { echo "no memsim at $memsim (build it, or set MEMSIM)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The model's THP mode and cpu count must be the host's: the arena limit is 8 x __get_nprocs ().
thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || true)
thp=${thp:-never}
ncpus=$(getconf _NPROCESSORS_ONLN)
cc -O2 -pthread -o "$work/workers" "$here/workers.c"

for c in default arena-max-1 trim-eager malloc-trim; do
    "$memsim" run "$here/$c.yaml" --out "$work/sim-$c" -q --set os.mm.thp="$thp" --set libc.ncpus="$ncpus" > /dev/null
    "$work/workers" "$c" > "$work/real-$c.txt" 2> "$work/real-$c.stats"
done

python3 - "$work" "$thp" "$ncpus" <<'PY'
import json, sys
work, thp, ncpus = sys.argv[1:]
rows = [["configuration", "arenas", "RSS KiB", "live KiB", "malloc in use KiB", "system KiB", "malloc_stats"]]
for c in ("default", "arena-max-1", "trim-eager", "malloc-trim"):
    s = json.load(open(f"{work}/sim-{c}/stats.json"))["stats"]
    real = dict(l.split() for l in open(f"{work}/real-{c}.txt"))
    rs = open(f"{work}/real-{c}.stats").read()
    ss = open(f"{work}/sim-{c}/malloc_stats.txt").read()
    total = rs.split("Total (incl. mmap):")[1].split()
    r_sys, r_use = int(total[3]) // 1024, int(total[8]) // 1024  # "system bytes = N", "in use bytes = N"
    s_sys = int(sum(v for k, v in s.items() if k.endswith(".system_bytes")) + s["libc.mmapped_bytes"]) // 1024
    s_use = int(sum(v for k, v in s.items() if k.endswith(".in_use_bytes")) + s["libc.mmapped_bytes"]) // 1024
    pair = lambda a, b: f"{a} / {b}" + ("" if a == b else " *")
    rows.append([c, pair(s["libc.arenas"], rs.count("Arena ")),
                 pair(s["os.rss_bytes"] // 1024, int(real["malloc_rss_kib"])),
                 str(int(real["live_bytes"]) // 1024), pair(s_use, r_use), pair(s_sys, r_sys),
                 "identical" if ss == rs else "differ *"])
print(f"8 workers x 48 buffers of 32-120 KiB, the last 2 of each kept; at the end. Each cell: memsim / this "
      f"machine (THP {thp}, {ncpus} cpus); * = differ.\nRSS: memsim's os.rss_bytes / the Rss of the real "
      "process's malloc mappings ([heap] and the arenas' heaps, /proc/self/smaps)\n")
w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
for k, r in enumerate(rows):
    print("| " + " | ".join(v.ljust(w[i]) if i == 0 else v.rjust(w[i]) for i, v in enumerate(r)) + " |")
    if k == 0: print("|" + "|".join("-" * (n + 1) + (":" if i else "-") for i, n in enumerate(w)) + "|")
print("\nthe real process's VmRSS over its start (adds the workers' stacks; a per-cpu counter): " +
      ", ".join(f"{c} {dict(l.split() for l in open(f'{work}/real-{c}.txt'))['vmrss_growth_kib']} KiB"
                for c in ("default", "arena-max-1", "trim-eager", "malloc-trim")))
PY
