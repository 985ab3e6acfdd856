#!/usr/bin/env bash
# The minor-faults example (README.md): memsim on each configuration of this folder beside images.c
# run natively under the same malloc settings, one table. About a second.
#
#     configs/examples/minor-faults/run.sh          # MEMSIM=path/to/memsim to pick the binary
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
memsim=${MEMSIM:-$root/build/memsim}
[ -x "$memsim" ] || { echo "no memsim at $memsim (build it, or set MEMSIM)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The model's THP mode must be the host's for the fault counts to be comparable.
thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || true)
thp=${thp:-never}
cc -O2 -o "$work/images" "$here/images.c"
images=$(grep -c '^malloc' "$here/images.trace")

for c in default nommap-notrim threshold; do
    # One time-series row per event: the fault count after each image's free.
    "$memsim" run "$here/$c.yaml" --out "$work/sim-$c" -q --set os.mm.thp="$thp" \
        --set sim.sample_every_events=1 > /dev/null
    "$work/images" "$c" "$images" > "$work/real-$c.txt"
    if command -v strace > /dev/null; then
        strace -o "$work/strace-$c.txt" -e trace=brk,mmap,munmap,getrusage "$work/images" "$c" "$images" > /dev/null
    fi
done

python3 - "$work" "$images" "$thp" <<'PY'
import csv, json, os, re, sys
work, images, thp = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def sim(c):
    stats = json.load(open(f"{work}/sim-{c}/stats.json"))["stats"]
    rows = {int(r["events"]): int(r["os.faults.minor"]) for r in csv.DictReader(open(f"{work}/sim-{c}/timeseries.csv"))}
    # Event 1 is `thread 1`; image i (from 1) ends with event 1 + 3i.
    per_image = [rows[1 + 3 * i] - rows[1 + 3 * (i - 1)] for i in range(1, images + 1)]
    return {"faults": per_image, "brk": stats["libc.brk_calls"], "mmap": stats["libc.mmap_calls"],
            "munmap": stats["libc.munmap_calls"], "peak": stats["os.rss_peak_bytes"] // 1024,
            "end": stats["os.rss_bytes"] // 1024}

def real(c):
    kv = dict(l.split() for l in open(f"{work}/real-{c}.txt"))
    r = {"faults": [int(kv[f"image{i}_faults"]) for i in range(1, images + 1)],
         "peak": int(kv["rss_peak_growth_kib"]), "end": int(kv["rss_end_growth_kib"])}
    path = f"{work}/strace-{c}.txt"
    if os.path.exists(path):  # the syscalls between the loop's first and last getrusage
        lines = open(path).read().splitlines()
        marks = [i for i, l in enumerate(lines) if l.startswith("getrusage(")]
        calls = [re.match(r"(\w+)\(", l) for l in lines[marks[0] + 1:marks[-1]]]
        for name in ("brk", "mmap", "munmap"):
            r[name] = sum(1 for m in calls if m and m.group(1) == name)
    return r

def cell(s, r, key):
    a, b = s.get(key, "-"), r.get(key, "n/a")
    return f"{a} / {b}" + ("" if a == b else "  *")

cols = [("image 1", lambda x: x["faults"][0]), ("image 2", lambda x: x["faults"][1]),
        (f"images 3-{images}", lambda x: sum(x["faults"][2:])), ("loop", lambda x: sum(x["faults"])),
        ("brk", lambda x: x.get("brk", "n/a")), ("mmap", lambda x: x.get("mmap", "n/a")),
        ("munmap", lambda x: x.get("munmap", "n/a")), ("peak RSS KiB", lambda x: x["peak"]),
        ("end RSS KiB", lambda x: x["end"])]
print(f"{images} images of 4,147,200 bytes; each cell: memsim / this machine (THP {thp}); * = differ")
print("minor faults per image, brk/mmap/munmap calls and RSS growth, for the loop only\n")
table = [["configuration"] + [h for h, _ in cols]]
for c in ("default", "nommap-notrim", "threshold"):
    s, r = sim(c), real(c)
    table.append([c] + [f"{f(s)} / {f(r)}" + ("" if f(s) == f(r) else " *") for _, f in cols])
w = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
for k, row in enumerate(table):
    print("| " + " | ".join(v.ljust(w[i]) if i == 0 else v.rjust(w[i]) for i, v in enumerate(row)) + " |")
    if k == 0: print("|" + "|".join("-" * (n + 1) + (":" if i else "-") for i, n in enumerate(w)) + "|")
PY
