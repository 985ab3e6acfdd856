/* workers.trace natively: THREADS pthreads take turns (a mutex/condvar hand-off, so glibc sees the
 * calls in the trace's order); in its turn each fills BUFFERS buffers of 32-120 KiB and frees all
 * but the last KEEP. SETTING mirrors a memsim configuration of this folder:
 *
 *     workers default|arena-max-1|trim-eager|malloc-trim
 *
 * prints, at the end (workers still alive, as at the end of the trace), as "key value" lines:
 * malloc_rss_kib, the Rss (/proc/self/smaps, exact) of the mappings malloc's memory lies in: [heap]
 * and every mapping holding a pointer malloc returned (the arenas' heaps); vmrss_growth_kib, VmRSS
 * over its value before the workers started (adds the workers' stacks; a per-cpu counter, so it may
 * lag by tens of pages); live_bytes; and before them glibc's own malloc_stats () on stderr. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { THREADS = 8, BUFFERS = 48, KEEP = 2, MIN_SIZE = 32 * 1024, MAX_SIZE = 120 * 1024 };

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;                     /* 0: main's; 1..THREADS: that worker's; -1: all done */
static size_t sizes[THREADS][BUFFERS];
static uintptr_t ptrs[THREADS * BUFFERS];
static char smaps[1 << 20];

static void wait_turn(int t) {
    pthread_mutex_lock(&mu);
    while (turn != t) pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static void give_turn(int t) {
    pthread_mutex_lock(&mu);
    turn = t;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void *worker(void *arg) {
    int w = (int)(intptr_t)arg;
    wait_turn(w + 1);
    char *buf[BUFFERS];
    for (int i = 0; i < BUFFERS; ++i) {
        buf[i] = malloc(sizes[w][i]);
        if (!buf[i]) abort();
        memset(buf[i], w + 1, sizes[w][i]); /* touch ID w */
        ptrs[w * BUFFERS + i] = (uintptr_t)buf[i];
    }
    __asm__ volatile("" : : "r"(buf) : "memory"); /* keep the compiler from eliding the buffers */
    for (int i = 0; i < BUFFERS - KEEP; ++i) free(buf[i]);
    give_turn(0);
    wait_turn(-1); /* the kept buffers stay live until main has measured */
    return NULL;
}

static ssize_t slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    ssize_t n = 0, r;
    while (fd >= 0 && n < (ssize_t)sizeof smaps - 1 && (r = read(fd, smaps + n, sizeof smaps - 1 - n)) > 0) n += r;
    if (fd >= 0) close(fd);
    smaps[n > 0 ? n : 0] = 0;
    return n;
}

static long vmrss_kib(void) {
    slurp("/proc/self/status");
    char *p = strstr(smaps, "VmRSS:");
    return p ? strtol(p + 6, NULL, 10) : -1;
}

/* Sum the Rss of the mappings that are [heap] or hold one of malloc's pointers. */
static long malloc_rss_kib(void) {
    slurp("/proc/self/smaps");
    long total = 0;
    int counted = 0;
    for (char *line = smaps; *line;) {
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
            counted = strstr(line, "[heap]") != NULL;
            for (int i = 0; !counted && i < THREADS * BUFFERS; ++i) counted = ptrs[i] >= lo && ptrs[i] < hi;
        } else if (counted && !strncmp(line, "Rss:", 4)) {
            total += strtol(line + 4, NULL, 10);
        }
        if (!next) break;
        line = next;
    }
    return total;
}

int main(int argc, char **argv) {
    const char *setting = argc > 1 ? argv[1] : "default";
    if (!strcmp(setting, "arena-max-1")) {
        mallopt(M_ARENA_MAX, 1); /* arena-max-1.yaml: libc.arena_max: 1 */
    } else if (!strcmp(setting, "trim-eager")) {
        mallopt(M_TRIM_THRESHOLD, 0); /* trim-eager.yaml: libc.trim_threshold: 0 */
        mallopt(M_TOP_PAD, 0);        /* libc.top_pad: 0 */
    } else if (strcmp(setting, "default") && strcmp(setting, "malloc-trim")) {
        fprintf(stderr, "usage: %s default|arena-max-1|trim-eager|malloc-trim\n", argv[0]);
        return 2;
    }
    /* gen_trace.py's sizes: a 64-bit LCG (Knuth's MMIX constants), high bits */
    uint64_t x = 1;
    size_t live = 0;
    for (int w = 0; w < THREADS; ++w)
        for (int i = 0; i < BUFFERS; ++i) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            sizes[w][i] = MIN_SIZE + (x >> 33) % (MAX_SIZE - MIN_SIZE + 1);
            if (i >= BUFFERS - KEEP) live += sizes[w][i];
        }
    long rss_start = vmrss_kib();
    pthread_t tids[THREADS];
    for (int w = 0; w < THREADS; ++w) /* the trace's `thread 2` .. `thread 9`: DTV callocs on main */
        if (pthread_create(&tids[w], NULL, worker, (void *)(intptr_t)w)) return 1;
    for (int w = 0; w < THREADS; ++w) {
        give_turn(w + 1);
        wait_turn(0);
    }
    if (!strcmp(setting, "malloc-trim")) malloc_trim(0); /* workers-trim.trace's last line */
    long malloc_rss = malloc_rss_kib(), vmrss = vmrss_kib();
    malloc_stats(); /* before printf, whose stdout buffer would be one more chunk in arena 0 */
    printf("setting %s\nmalloc_rss_kib %ld\nvmrss_growth_kib %ld\nlive_bytes %zu\n", setting, malloc_rss,
           vmrss - rss_start, live);
    give_turn(-1);
    for (int w = 0; w < THREADS; ++w) pthread_join(tids[w], NULL);
    return 0;
}
