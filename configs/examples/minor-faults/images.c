/* The image loop of images.trace, natively: IMAGES times malloc a 1920x1080x2-byte buffer, write
 * every byte, free it. SETTING mirrors a memsim configuration of this folder with mallopt calls
 * at start (the same do_set_* functions as the glibc.malloc tunables the configurations set):
 *
 *     images default|nommap-notrim|threshold [IMAGES]
 *
 * prints, for the loop only, the minor faults of each image (getrusage RUSAGE_SELF deltas) and the
 * growth of RSS over its value at the start of the loop, at its peak (sampled with each image
 * filled) and at the end, as "key value" lines. The loop's getrusage calls mark it in an strace log (run.sh counts the
 * brk/mmap/munmap calls between the first and the last).
 *
 * Faults memsim does not model are kept out of the window: the loop's code (libc's text) and
 * libc's writable data (main_arena and mp_ live in libc's .data) are touched before the first
 * measurement, and nothing allocates or prints until the last one. The model's process has no
 * libraries: only the heap and the buffers' own mappings fault there. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

enum { IMAGE_BYTES = 1920 * 1080 * 2, MAX_IMAGES = 10000 };
static long faults[MAX_IMAGES];

static long minflt(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* Rss of /proc/self/smaps_rollup in KiB, read without stdio (which would malloc). smaps_rollup
 * walks the page tables, so it is exact; VmRSS and VmHWM (ru_maxrss) come from per-cpu counters
 * since Linux 6.2 (per-task caches before) and may lag by tens of pages. */
static long rss_kib(void) {
    char buf[4096];
    int fd = open("/proc/self/smaps_rollup", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0) close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strstr(buf, "\nRss:");
    return p ? strtol(p + 6, NULL, 10) : -1;
}

/* Touch every page of libc's mappings: text by reading, writable data by writing back what is
 * there (one thread, so nothing races), so the loop's first calls take no faults in them. */
static void prefault_libc(void) {
    char maps[16384];
    int fd = open("/proc/self/maps", O_RDONLY);
    ssize_t n = 0, r;
    while (fd >= 0 && n < (ssize_t)sizeof maps - 1 && (r = read(fd, maps + n, sizeof maps - 1 - n)) > 0) n += r;
    if (fd >= 0) close(fd);
    maps[n > 0 ? n : 0] = 0;
    for (char *line = maps; line && *line;) {
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        unsigned long lo, hi;
        char perms[5];
        if (strstr(line, "/libc.so") && sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && perms[0] == 'r')
            for (unsigned long a = lo; a < hi; a += 4096) {
                volatile char *p = (volatile char *)a;
                char c = *p;
                if (perms[1] == 'w') *p = c;
            }
        line = next;
    }
}

int main(int argc, char **argv) {
    const char *setting = argc > 1 ? argv[1] : "default";
    int images = argc > 2 ? atoi(argv[2]) : 100;
    if (images < 1 || images > MAX_IMAGES) return 2;
    if (!strcmp(setting, "nommap-notrim")) {
        mallopt(M_MMAP_MAX, 0);        /* configs nommap-notrim.yaml: libc.mmap_max: 0 */
        mallopt(M_TRIM_THRESHOLD, -1); /* libc.trim_threshold: -1 */
    } else if (!strcmp(setting, "threshold")) {
        mallopt(M_MMAP_THRESHOLD, 8 << 20); /* threshold.yaml: libc.mmap_threshold: 8MiB */
    } else if (strcmp(setting, "default")) {
        fprintf(stderr, "usage: %s default|nommap-notrim|threshold [IMAGES]\n", argv[0]);
        return 2;
    }
    prefault_libc();
    char warm[8192];
    memset(warm, 1, sizeof warm); /* memset's code and the stack below us */
    long rss_start = rss_kib(), rss_peak = rss_start;
    long before = minflt();
    for (int i = 0; i < images; ++i) {
        char *image = malloc(IMAGE_BYTES);
        if (!image) return 1;
        memset(image, i, IMAGE_BYTES); /* "fill" the image: every byte written, as touch does */
        __asm__ volatile("" : : "r"(image) : "memory"); /* keep the compiler from eliding the buffer */
        long rss = rss_kib(); /* the peak: with the image filled, before its free */
        if (rss > rss_peak) rss_peak = rss;
        free(image);
        long now = minflt();
        faults[i] = now - before;
        before = now;
    }
    long rss_end = rss_kib();
    long total = 0;
    for (int i = 0; i < images; ++i) total += faults[i];
    printf("setting %s\nimages %d\nimage_bytes %d\nloop_faults %ld\n", setting, images, IMAGE_BYTES, total);
    for (int i = 0; i < images; ++i) printf("image%d_faults %ld\n", i + 1, faults[i]);
    printf("rss_peak_growth_kib %ld\nrss_end_growth_kib %ld\n", rss_peak - rss_start, rss_end - rss_start);
    return 0;
}
