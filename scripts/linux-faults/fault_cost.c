/* Measures what one anonymous page fault costs on this machine, for os.mm.fault_cycles:
 *
 *     cc -O2 fault_cost.c -o fault_cost && ./fault_cost
 *
 * Three rows per round over 65536 pages (THP off with MADV_NOHUGEPAGE):
 *   write fault   a first write: allocate a page, clear_page it, map it (what memsim charges as
 *                 fault_cycles + 4 KiB of writes + the PTE write)
 *   memset 4K     clearing an already-mapped page: about the clear_page share of the above
 *   read fault    a first read: the zero page mapped, nothing allocated or cleared: the
 *                 handler's own cost, which is what fault_cycles stands for
 * Multiply the read-fault time by the core clock to get fault_cycles. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static char* map(size_t sz) {
    char* p = mmap(0, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return NULL;
    }
    madvise(p, sz, MADV_NOHUGEPAGE);
    return p;
}

int main(void) {
    const size_t n = 1 << 16, sz = n * 4096;
    for (int round = 0; round < 3; round++) {
        char* p = map(sz);
        char* q = map(sz);
        if (!p || !q) return 1;
        struct rusage a, b;
        getrusage(RUSAGE_SELF, &a);
        double t0 = now();
        for (size_t i = 0; i < n; i++) p[i * 4096] = 1;
        double t1 = now();
        getrusage(RUSAGE_SELF, &b);
        for (size_t i = 0; i < n; i++) memset(p + i * 4096, 0, 4096);
        double t2 = now();
        volatile char sink = 0;
        for (size_t i = 0; i < n; i++) sink += q[i * 4096];
        double t3 = now();
        printf("write fault %.0f ns/page (%ld faults)  memset 4K %.0f ns  read (zero-page) fault %.0f ns\n",
               (t1 - t0) / n * 1e9, b.ru_minflt - a.ru_minflt, (t2 - t1) / n * 1e9, (t3 - t2) / n * 1e9);
        munmap(p, sz);
        munmap(q, sz);
    }
    return 0;
}
