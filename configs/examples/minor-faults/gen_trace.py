#!/usr/bin/env python3
"""Writes images.trace: an image-processing loop as memsim events.

Each image gets a buffer of WIDTH x HEIGHT x BYTES_PER_PIXEL bytes, written in full (`touch`), then
freed. images.c does the same natively; keep the two in step.

    ./gen_trace.py [IMAGES] > images.trace
"""
import sys

WIDTH, HEIGHT, BYTES_PER_PIXEL = 1920, 1080, 2  # one 1080p frame, YUV 4:2:2
IMAGE_BYTES = WIDTH * HEIGHT * BYTES_PER_PIXEL    # 4,147,200 bytes: about 1013 pages of 4 KiB


def main():
    images = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    out = sys.stdout
    out.write("# memsim-trace v1\n")
    out.write(f"# {images} images of {WIDTH}x{HEIGHT}x{BYTES_PER_PIXEL} = {IMAGE_BYTES} bytes: "
              "malloc, write every byte, free (configs/examples/minor-faults/gen_trace.py)\n")
    out.write("thread 1\n")
    for i in range(images):
        out.write(f"malloc 1 {IMAGE_BYTES}\ntouch 1 w\nfree 1\n")


if __name__ == "__main__":
    main()
