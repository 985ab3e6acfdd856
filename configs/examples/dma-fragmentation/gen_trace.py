#!/usr/bin/env python3
"""The dma-fragmentation example's trace (README.md): a camera driver that keeps a ring of 8
capture buffers of 20 KiB (order 3, 5 pages used) in ZONE_DMA, freeing the oldest and allocating
a new one per frame, beside a leaky driver that takes one order-0 GFP_DMA page every 4 frames and
never gives it back.

    ./gen_trace.py > dma.trace
"""
import sys

FRAMES = 3000
RING = 8
BUFFER = 20 * 1024
LEAK_EVERY = 4

out = sys.stdout
out.write("# memsim-trace v1\n# configs/examples/dma-fragmentation/gen_trace.py\n")
next_id = 1
ring = []
leak_id = 1_000_000
for frame in range(FRAMES):
    if len(ring) == RING:
        out.write(f"dma_free {ring.pop(0)}\n")
    out.write(f"dma_alloc {next_id} {BUFFER}\n")
    ring.append(next_id)
    next_id += 1
    if frame % LEAK_EVERY == 0:
        out.write(f"alloc_pages {leak_id} 0 DMA\n")
        leak_id += 1
    out.write("compute 1000\n")
