#!/usr/bin/env python3
"""Heap figures of an mtrace log, computed without memsim: the expected values of
tests/sim/trace_summary_test.cpp for ls.mtrace. Usage: mtrace_reference.py LOG"""
import re
import sys

live, cur, total, peak, peak_blocks, old, sizes = {}, 0, 0, 0, 0, None, []
for line in open(sys.argv[1]):
    m = re.search(r'(?:^|\] )([-+<>!]) (\S+)(?: (\S+))?$', line.strip())
    if not m:
        continue
    op, ptr, size = m.groups()
    if op == '+' and ptr != '(nil)':
        live[ptr] = int(size, 16)
        sizes.append(live[ptr])
        cur += live[ptr]
    elif op == '-':
        cur -= live.pop(ptr)
    elif op == '<':
        old = ptr
    elif op == '>':
        cur -= live.pop(old)
        live[ptr] = int(size, 16)
        sizes.append(live[ptr])
        cur += live[ptr]
    peak, peak_blocks = max(peak, cur), max(peak_blocks, len(live))
print(f"requests {len(sizes)} bytes {sum(sizes)} peak_bytes {peak} peak_blocks {peak_blocks} "
      f"live_bytes {cur} live_blocks {len(live)} min {min(sizes)} max {max(sizes)}")
