#!/usr/bin/env bash
# Re-capture the bundled traces in traces/ from real programs on this machine.
# The commands here are the ones traces/README.md cites; the traces it produces differ from the
# committed ones wherever the machine differs (glibc, program versions, ASLR, /usr/bin contents).
#
#   traces/regenerate.sh [NAME...]     NAME: python3-startup python3-startup-nopymalloc sort-words
#                                            cc1-hello ls-la-usr-bin sqlite3-memdb perl-wordfreq
#                                            true ls-root sort-words-lackey
#                                            python3-startup.trace python3-startup-nopymalloc.trace
#                                            python3-threads.trace sort-words.trace cc1-hello.trace
#                                            ls-la-usr-bin.trace sqlite3-memdb.trace perl-wordfreq.trace
#                                            awk-wordfreq.trace xz-t2.trace arena-threads.trace
#                                            (default: all)
set -euo pipefail

traces=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
capture="$traces/../scripts/capture-mtrace"
recorder="$traces/../scripts/record/record"
inputs="$traces/inputs"
work=$(mktemp -d "${TMPDIR:-/tmp}/memsim-traces.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A fixed, small environment: the environment's size moves the stack, and locale changes
# what sort, ls and perl do.
clean_env=(env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$work" XDG_CACHE_HOME="$work/cache")

# Compress logs over ~200 KB with zstd -19; smaller ones stay readable as they are.
store() {
    local src=$1 dst=$2
    rm -f "$traces/$dst" "$traces/$dst.zst"
    if (($(stat -c %s "$src") > 200000)); then
        zstd -q -19 -f -o "$traces/$dst.zst" "$src"
        echo "$dst.zst: $(wc -l <"$src") lines" >&2
    else
        cp "$src" "$traces/$dst"
        echo "$dst: $(wc -l <"$src") lines" >&2
    fi
}

mtrace() {  # mtrace NAME -- PROGRAM ARGS...
    local name=$1; shift 2
    (cd "$inputs" && "${clean_env[@]}" "$capture" -o "$work/$name.mtrace" -- "$@" >/dev/null)
    store "$work/$name.mtrace" "$name.mtrace"
}

# memsim traces written by scripts/record (the LD_PRELOAD recorder).
record() {  # record NAME [VAR=VALUE...] -- PROGRAM ARGS...
    local name=$1; shift
    local vars=()
    while [[ $1 != -- ]]; do vars+=("$1"); shift; done
    shift
    (cd "$inputs" && "${clean_env[@]}" "${vars[@]}" "$recorder" -o "$work/$name.trace" -- "$@" >/dev/null)
    store "$work/$name.trace" "$name.trace"
}

# Lackey's log and cachegrind's reference numbers for the same command, both run in inputs/.
lackey() {  # lackey NAME STORED_AS -- PROGRAM ARGS...
    local name=$1 stored=$2; shift 3
    (cd "$inputs" && "${clean_env[@]}" valgrind --tool=lackey --trace-mem=yes \
        --log-file="$work/$name.lackey" "$@" >/dev/null)
    store "$work/$name.lackey" "$stored"
    (cd "$inputs" && "${clean_env[@]}" valgrind --tool=cachegrind --cache-sim=yes \
        --I1=32768,8,64 --D1=32768,8,64 --LL=1048576,16,64 \
        --cachegrind-out-file="$work/$name.cachegrind.out" --log-file="$work/$name.cachegrind.log" \
        "$@" >/dev/null)
    {
        echo "# cachegrind reference for traces/$stored.zst (same program and arguments, run in traces/inputs/)"
        echo "# command: valgrind --tool=cachegrind --cache-sim=yes --I1=32768,8,64 --D1=32768,8,64 --LL=1048576,16,64 $*"
        echo "# $(valgrind --version), $(ldd --version | head -1), captured $(date -u +%F)"
        echo "# lackey and cachegrind instrument separately; their access streams need not be identical."
        grep -E '^(events|summary):' "$work/$name.cachegrind.out"
        echo "# cachegrind's own report:"
        sed -n 's/^==[0-9]*== //p' "$work/$name.cachegrind.log" | grep -E '^(I|D|LL|I1|D1|LLi|LLd) +(refs|misses|miss rate):' || true
    } >"$traces/$name.cachegrind.txt"
}

python_snippet='import json; print(json.dumps({"primes": [p for p in range(2, 60) if all(p % d for d in range(2, p))]}))'
sqlite_script="CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT); WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<2000) INSERT INTO t SELECT x, printf('item-%05d', x) FROM c; CREATE INDEX t_name ON t(name); SELECT count(*), max(name) FROM t WHERE name LIKE 'item-01%';"
# shellcheck disable=SC2016  # perl's $ variables, not the shell's
# shellcheck disable=SC2016
awk_script='{ c[substr($0, 1, 2)]++ } END { for (k in c) if (c[k] > max) { max = c[k]; best = k } print best, max }'
python_threads='import threading
def work(n):
    d = {}
    for i in range(1500):
        d[(i * 7 + n) % 300] = [str(i)] * (i % 5)
    return len(d)
ts = [threading.Thread(target=work, args=(n,)) for n in range(4)]
for t in ts: t.start()
for t in ts: t.join()'
perl_script='my %c; while (<>) { chomp; $c{substr($_,0,2)}++ } printf "%s %d\n", $_, $c{$_} for (sort { $c{$b} <=> $c{$a} } keys %c)[0..4]'

capture() {
    case $1 in
    python3-startup) mtrace python3-startup -- python3 -c "$python_snippet" ;;
    python3-startup-nopymalloc)
    # PYTHONMALLOC=malloc sends every object allocation to malloc instead of pymalloc's arenas.
    (cd "$inputs" && "${clean_env[@]}" PYTHONMALLOC=malloc "$capture" \
        -o "$work/p.mtrace" -- python3 -c "$python_snippet" >/dev/null)
    store "$work/p.mtrace" python3-startup-nopymalloc.mtrace ;;
    sort-words) mtrace sort-words -- sort words.txt ;;
    cc1-hello)
    # gcc forks cc1 and as; --children gives each its own log and we keep cc1's.
    (cd "$inputs" && "${clean_env[@]}" "$capture" --children -o "$work/gcc.mtrace" \
        -- gcc -O2 -c hello.c -o "$work/hello.o")
    local f
    for f in "$work"/gcc.mtrace.*; do
        if grep -q '^@ /usr/lib/gcc/x86_64-linux-gnu/[0-9]*/cc1:' "$f"; then
            store "$f" cc1-hello.mtrace
        fi
    done ;;
    ls-la-usr-bin) mtrace ls-la-usr-bin -- ls -la /usr/bin ;;
    sqlite3-memdb) mtrace sqlite3-memdb -- sqlite3 :memory: "$sqlite_script" ;;
    perl-wordfreq) mtrace perl-wordfreq -- perl -e "$perl_script" words.txt ;;
    python3-startup.trace) record python3-startup -- python3 -c "$python_snippet" ;;
    python3-startup-nopymalloc.trace)
        record python3-startup-nopymalloc PYTHONMALLOC=malloc -- python3 -c "$python_snippet" ;;
    python3-threads.trace)
        # PYTHONMALLOC=malloc: every object from malloc, so each thread's allocations reach its arena.
        record python3-threads PYTHONMALLOC=malloc -- python3 -c "$python_threads" ;;
    sort-words.trace) record sort-words -- sort words.txt ;;
    cc1-hello.trace)
    (cd "$inputs" && "${clean_env[@]}" "$recorder" --children -o "$work/gcc.trace" \
        -- gcc -O2 -c hello.c -o "$work/hello.o")
    local t
    for t in "$work"/gcc.trace.*; do
        if sed -n 2p "$t" | grep -q '^# command: /usr/lib/gcc/x86_64-linux-gnu/[0-9]*/cc1 '; then
            store "$t" cc1-hello.trace
        fi
    done ;;
    ls-la-usr-bin.trace) record ls-la-usr-bin -- ls -la /usr/bin ;;
    sqlite3-memdb.trace) record sqlite3-memdb -- sqlite3 :memory: "$sqlite_script" ;;
    perl-wordfreq.trace) record perl-wordfreq -- perl -e "$perl_script" words.txt ;;
    awk-wordfreq.trace) record awk-wordfreq -- awk "$awk_script" words.txt ;;
    xz-t2.trace)
        # Two worker threads; 4 KiB blocks so that a 15 KB input still makes several.
        record xz-t2 -- xz -T2 -1 --block-size=4096 -c words.txt ;;
    arena-threads.trace)
        cc -O2 -pthread -o "$work/arena-threads" "$inputs/arena-threads.c"
        record arena-threads -- "$work/arena-threads" ;;
    true) lackey true true.lackey -- /bin/true ;;
    ls-root) lackey default default.lackey -- ls / ;;
    sort-words-lackey) lackey sort-words sort-words.lackey -- sort words.txt ;;
    *) echo "regenerate.sh: unknown trace '$1'" >&2; exit 2 ;;
    esac
}

all=(python3-startup python3-startup-nopymalloc sort-words cc1-hello ls-la-usr-bin
     sqlite3-memdb perl-wordfreq true ls-root sort-words-lackey
     python3-startup.trace python3-startup-nopymalloc.trace python3-threads.trace sort-words.trace
     cc1-hello.trace ls-la-usr-bin.trace sqlite3-memdb.trace perl-wordfreq.trace awk-wordfreq.trace
     xz-t2.trace arena-threads.trace)
for name in "${@:-${all[@]}}"; do
    capture "$name"
done
