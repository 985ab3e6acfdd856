/* Runs the mmap/munmap/madvise/touch subset of a memsim text trace on the real kernel and prints,
 * for each of those lines, the minor and major faults it caused (getrusage RUSAGE_SELF deltas):
 *
 *     faults TRACE.txt            ->   LINE MINFLT MAJFLT   (one row per executed event)
 *
 * THP is switched off for the process (prctl PR_SET_THP_DISABLE) unless FAULTS_THP=1, so the host's
 * /sys/kernel/mm/transparent_hugepage setting does not matter. The program's own faults are kept
 * out of the measurements: the trace is read and parsed, and the result table and stack touched,
 * before the first measurement; nothing allocates or prints between two measurements.
 * Other lines (comments, malloc, read/write...) are ignored. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>

enum { MAX_EVENTS = 4096, MAX_IDS = 1024 };
enum Op { MMAP, MUNMAP, MADVISE, TOUCH };
struct Ev {
    enum Op op;
    unsigned long line, id, offset, length;
    int prot, advice, has_range, write;
};
static struct Ev evs[MAX_EVENTS];
static struct { char *addr; unsigned long length; } ids[MAX_IDS];
static long res[MAX_EVENTS][3];

static const struct { const char *name; int value; } advices[] = {
    {"NORMAL", 0}, {"RANDOM", 1}, {"SEQUENTIAL", 2}, {"WILLNEED", 3}, {"DONTNEED", 4}, {"FREE", 8},
    {"REMOVE", 9}, {"DONTFORK", 10}, {"DOFORK", 11}, {"MERGEABLE", 12}, {"UNMERGEABLE", 13},
    {"HUGEPAGE", 14}, {"NOHUGEPAGE", 15}, {"DONTDUMP", 16}, {"DODUMP", 17}, {"WIPEONFORK", 18},
    {"KEEPONFORK", 19}, {"COLD", 20}, {"PAGEOUT", 21}, {"POPULATE_READ", 22}, {"POPULATE_WRITE", 23}};

static int parse_advice(const char *s) {
    if (!strncasecmp(s, "MADV_", 5)) s += 5;
    for (size_t i = 0; i < sizeof advices / sizeof advices[0]; ++i)
        if (!strcasecmp(s, advices[i].name)) return advices[i].value;
    return (int)strtol(s, NULL, 0);
}

static int parse_prot(const char *s) {
    if (!strcmp(s, "none")) return PROT_NONE;
    int p = 0;
    for (; *s; ++s) p |= *s == 'r' ? PROT_READ : *s == 'w' ? PROT_WRITE : *s == 'x' ? PROT_EXEC : 0;
    return p;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TRACE.txt\n", argv[0]);
        return 2;
    }
    if (!getenv("FAULTS_THP") && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)) perror("prctl");
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    char buf[512];
    int n = 0;
    unsigned long line = 0;
    while (fgets(buf, sizeof buf, f) && n < MAX_EVENTS) {
        ++line;
        char *tok[6];
        int k = 0;
        for (char *t = strtok(buf, " \t\r\n"); t && k < 6; t = strtok(NULL, " \t\r\n")) tok[k++] = t;
        if (!k || tok[0][0] == '#') continue;
        struct Ev e = {0};
        e.line = line;
        e.write = 1;
        if (!strcmp(tok[0], "mmap") && k >= 3) {
            e.op = MMAP;
            e.id = strtoul(tok[1], NULL, 0);
            e.length = strtoul(tok[2], NULL, 0);
            e.prot = k > 3 ? parse_prot(tok[3]) : PROT_READ | PROT_WRITE;
        } else if (!strcmp(tok[0], "munmap") && k >= 2) {
            e.op = MUNMAP;
            e.id = strtoul(tok[1], NULL, 0);
        } else if (!strcmp(tok[0], "madvise") && k >= 5) {
            e.op = MADVISE;
            e.id = strtoul(tok[1], NULL, 0);
            e.offset = strtoul(tok[2], NULL, 0);
            e.length = strtoul(tok[3], NULL, 0);
            e.advice = parse_advice(tok[4]);
        } else if (!strcmp(tok[0], "touch") && k >= 2) {
            e.op = TOUCH;
            e.id = strtoul(tok[1], NULL, 0);
            int i = 2;
            if (k >= 4) {
                e.has_range = 1;
                e.offset = strtoul(tok[2], NULL, 0);
                e.length = strtoul(tok[3], NULL, 0);
                i = 4;
            }
            if (k > i) e.write = tok[i][0] == 'w';
        } else {
            continue;
        }
        if (e.id >= MAX_IDS) {
            fprintf(stderr, "%lu: ID above %d\n", line, MAX_IDS - 1);
            return 2;
        }
        evs[n++] = e;
    }
    fclose(f);
    memset(res, 0, sizeof res);  // fault in the result table and the ID table
    memset(ids, 0, sizeof ids);
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);  // and the stack and getrusage's own path
    getrusage(RUSAGE_SELF, &after);

    for (int i = 0; i < n; ++i) {
        struct Ev *e = &evs[i];
        long ret = 0;
        getrusage(RUSAGE_SELF, &before);
        switch (e->op) {
            case MMAP: {
                void *p = mmap(NULL, e->length, e->prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                ids[e->id].addr = p == MAP_FAILED ? NULL : (char *)p;
                ids[e->id].length = e->length;
                ret = p == MAP_FAILED ? -1 : 0;
                break;
            }
            case MUNMAP: ret = munmap(ids[e->id].addr, ids[e->id].length); break;
            case MADVISE: ret = madvise(ids[e->id].addr + e->offset, e->length, e->advice); break;
            case TOUCH: {
                char *a = ids[e->id].addr + (e->has_range ? e->offset : 0);
                unsigned long len = e->has_range ? e->length : ids[e->id].length;
                if (!len) break;
                char *end = a + len - 1;
                /* the first byte, then the first byte of every later page the range covers */
                uintptr_t first = (uintptr_t)a & ~(uintptr_t)4095, last = (uintptr_t)end & ~(uintptr_t)4095;
                for (uintptr_t pg = first; pg <= last; pg += 4096) {
                    volatile char *p = (volatile char *)(pg < (uintptr_t)a ? (uintptr_t)a : pg);
                    if (e->write) *p = 1;
                    else (void)*p;
                }
                break;
            }
        }
        getrusage(RUSAGE_SELF, &after);
        res[i][0] = after.ru_minflt - before.ru_minflt;
        res[i][1] = after.ru_majflt - before.ru_majflt;
        res[i][2] = ret;
    }
    for (int i = 0; i < n; ++i) printf("%lu %ld %ld%s\n", evs[i].line, res[i][0], res[i][1], res[i][2] ? " error" : "");
    return 0;
}
