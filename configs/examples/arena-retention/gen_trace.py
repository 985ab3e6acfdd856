#!/usr/bin/env python3
"""Writes the arena-retention traces: worker threads that each fill a batch of medium buffers, free
most of them and keep the last few (allocated last, so at the top of the thread's arena).

    ./gen_trace.py > workers.trace
    ./gen_trace.py --malloc-trim > workers-trim.trace   # the same, then malloc_trim(0) on main

workers.c does the same natively with pthreads; keep the two in step (THREADS, BUFFERS, KEEP and
the size generator are the same there).
"""
import sys

THREADS = 8            # workers, TIDs 2..9; the main thread is TID 1
BUFFERS = 48           # buffers each worker allocates and fills
KEEP = 2               # the last KEEP of them stay live to the end
MIN_SIZE, MAX_SIZE = 32 * 1024, 120 * 1024  # medium: below the 128 KiB mmap threshold


def sizes():
    """The buffer sizes in allocation order: a 64-bit LCG (Knuth's MMIX constants), high bits."""
    x = 1
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
        yield MIN_SIZE + (x >> 33) % (MAX_SIZE - MIN_SIZE + 1)


def main():
    trim = "--malloc-trim" in sys.argv[1:]
    out, gen = sys.stdout, sizes()
    out.write("# memsim-trace v1\n")
    out.write(f"# {THREADS} workers each fill {BUFFERS} buffers of {MIN_SIZE}-{MAX_SIZE} bytes and free all "
              f"but the last {KEEP} (configs/examples/arena-retention/gen_trace.py)\n")
    out.write("thread 1\n")
    # main creates every worker first: pthread_create's DTV calloc runs on main, in this order
    for w in range(THREADS):
        out.write(f"thread {w + 2}\n")
    live = 0
    for w in range(THREADS):   # each worker's turn, one after the other (workers.c hands off)
        tid = w + 2
        out.write(f"thread {tid}\n")
        batch = [(tid * 1000 + i, next(gen)) for i in range(BUFFERS)]
        for bid, size in batch:
            out.write(f"malloc {bid} {size}\ntouch {bid} w\n")
        for bid, _ in batch[:-KEEP]:
            out.write(f"free {bid}\n")
        live += sum(size for _, size in batch[-KEEP:])
    out.write("thread 1\n")
    if trim:
        out.write("malloc_trim 0\n")
    out.write(f"# live at the end: {THREADS * KEEP} buffers, {live} bytes\n")


if __name__ == "__main__":
    main()
