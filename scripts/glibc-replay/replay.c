/* glibc-replay: run the malloc-family events of a memsim text trace against the machine's real
 * glibc, in this fresh process, and print what each call returned: where the pointer lies
 * (relative to the heap start, or in an mmapped chunk, or in a non-main arena's heap) and where
 * the break is after the call. memsim's ptmalloc model prints the same lines for the same trace
 * (tests/models/libc/glibc_compare_test.cpp), so the two can be compared call by call.
 *
 * The replayer itself must not disturb the heap: it never calls malloc. The trace is mmapped and
 * parsed by hand into an mmapped array of operations, the ID table is an mmapped hash table, and
 * the output is formatted by hand into an mmapped buffer written with write(2).
 *
 * Usage: replay [-f] [-q] TRACE.txt
 *   -f  also print the minor faults each call took (getrusage)
 *   -q  print nothing per call; print the time the calls took (ns), for benchmarks
 *
 * Events: malloc ID SIZE, calloc ID NMEMB SIZE, realloc OLD NEW SIZE, memalign ID ALIGN SIZE,
 * free ID, mallopt PARAM VALUE, thread TID, thread_exit TID (docs/trace-format.md). Other events
 * are ignored. Lines "# libc: OP ..." add calls the trace format has no event for:
 * malloc_trim PAD, valloc ID SIZE, pvalloc ID SIZE, posix_memalign ID ALIGN SIZE.
 *
 * Threads: the first thread the trace names (or the one running before any `thread` line) is the
 * main thread. Every other TID is a real pthread, created by the main thread when the trace first
 * switches to it, and the threads run one at a time in the trace's order (hand-off with a mutex
 * and a condition variable). thread_exit T makes T return from its start routine; the replay goes
 * on once the kernel has reaped it (glibc has run its thread-exit cleanup by then). Threads are
 * never joined.
 *
 * Output: "# heap0 ADDR" (the break at start), then one line per call: "OP WHERE BRK [f=FAULTS]"
 *   WHERE: h+OFF (main heap, from the break at start), m+OFF (mmapped chunk, offset in its
 *   mapping), aA.hH+OFF (non-main arena A's heap H, numbered in order of first appearance, offset
 *   in the heap), 0 (NULL), - (free), =N (mallopt, malloc_trim: the return value)
 *   BRK: b+OFF, sbrk (0) after the call, from the break at start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { OP_MALLOC, OP_CALLOC, OP_REALLOC, OP_MEMALIGN, OP_FREE, OP_MALLOPT, OP_THREAD, OP_THREAD_EXIT,
       OP_TRIM, OP_VALLOC, OP_PVALLOC, OP_POSIX_MEMALIGN };
static const char *const op_names[] = {"malloc", "calloc", "realloc", "memalign", "free", "mallopt", "thread",
                                       "thread_exit", "malloc_trim", "valloc", "pvalloc", "posix_memalign"};

struct op {
    uint32_t kind;
    uint64_t id, id2, a, b;
};

static void die(const char *msg) {
    write(2, "glibc-replay: ", 14);
    write(2, msg, strlen(msg));
    write(2, "\n", 1);
    _exit(2);
}

static void *map_anon(size_t n) {
    void *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) die("mmap failed");
    return p;
}

/* ---- parsing ---- */
static const char *cur, *end;
static uint64_t lineno;

static void skip_blanks(void) {
    while (cur < end && (*cur == ' ' || *cur == '\t' || *cur == '\r')) ++cur;
}
static int word(const char **w, size_t *n) {
    skip_blanks();
    if (cur >= end || *cur == '\n' || *cur == '#') return 0;
    *w = cur;
    while (cur < end && *cur != ' ' && *cur != '\t' && *cur != '\n' && *cur != '\r' && *cur != '#') ++cur;
    *n = (size_t)(cur - *w);
    return 1;
}
static int eq(const char *w, size_t n, const char *s) { return strlen(s) == n && memcmp(w, s, n) == 0; }
static int ieq(const char *w, size_t n, const char *s) {
    if (strlen(s) != n) return 0;
    for (size_t i = 0; i < n; ++i) {
        char c = w[i];
        if (c >= 'a' && c <= 'z') c = (char)(c - 32);
        if (c != s[i]) return 0;
    }
    return 1;
}
static uint64_t number(void) {
    const char *w;
    size_t n;
    if (!word(&w, &n)) die("expected a number");
    int neg = 0;
    size_t i = 0;
    if (w[0] == '-') neg = 1, i = 1;
    uint64_t v = 0;
    if (n > i + 2 && w[i] == '0' && (w[i + 1] == 'x' || w[i + 1] == 'X')) {
        for (i += 2; i < n; ++i) {
            char c = w[i];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) die("bad hex number");
            v = v * 16 + (uint64_t)d;
        }
    } else {
        for (; i < n; ++i) {
            if (w[i] < '0' || w[i] > '9') die("bad number");
            v = v * 10 + (uint64_t)(w[i] - '0');
        }
    }
    return neg ? (uint64_t)0 - v : v;
}
static uint64_t mallopt_param(void) {
    const char *w;
    size_t n;
    skip_blanks();
    const char *save = cur;
    if (!word(&w, &n)) die("mallopt: expected PARAM");
    if ((w[0] >= '0' && w[0] <= '9') || w[0] == '-') {
        cur = save;
        return number();
    }
    if (n > 2 && (w[0] == 'M' || w[0] == 'm') && w[1] == '_') w += 2, n -= 2;
    static const struct { const char *name; int v; } names[] = {
        {"MXFAST", 1}, {"TRIM_THRESHOLD", -1}, {"TOP_PAD", -2}, {"MMAP_THRESHOLD", -3}, {"MMAP_MAX", -4},
        {"CHECK_ACTION", -5}, {"PERTURB", -6}, {"ARENA_TEST", -7}, {"ARENA_MAX", -8}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
        if (ieq(w, n, names[i].name)) return (uint64_t)(int64_t)names[i].v;
    die("mallopt: unknown PARAM");
    return 0;
}

static struct op *ops;
static size_t nops;

static void parse(const char *text, size_t len) {
    cur = text;
    end = text + len;
    size_t cap = len / 6 + 16;
    ops = map_anon(cap * sizeof *ops);
    while (cur < end) {
        ++lineno;
        const char *w;
        size_t n;
        skip_blanks();
        if (cur < end && *cur == '#') {
            /* "# libc: OP ...": calls the trace format has no event for */
            static const char tag[] = "# libc:";
            if ((size_t)(end - cur) > sizeof tag - 1 && memcmp(cur, tag, sizeof tag - 1) == 0) cur += sizeof tag - 1;
            else {
                while (cur < end && *cur != '\n') ++cur;
            }
        }
        if (word(&w, &n)) {
            struct op o = {0, 0, 0, 0, 0};
            int known = 1;
            if (eq(w, n, "malloc")) o.kind = OP_MALLOC, o.id = number(), o.a = number();
            else if (eq(w, n, "calloc")) o.kind = OP_CALLOC, o.id = number(), o.a = number(), o.b = number();
            else if (eq(w, n, "realloc")) o.kind = OP_REALLOC, o.id = number(), o.id2 = number(), o.a = number();
            else if (eq(w, n, "memalign")) o.kind = OP_MEMALIGN, o.id = number(), o.a = number(), o.b = number();
            else if (eq(w, n, "free")) o.kind = OP_FREE, o.id = number();
            else if (eq(w, n, "mallopt")) o.kind = OP_MALLOPT, o.a = mallopt_param(), o.b = number();
            else if (eq(w, n, "thread")) o.kind = OP_THREAD, o.id = number();
            else if (eq(w, n, "thread_exit")) o.kind = OP_THREAD_EXIT, o.id = number();
            else if (eq(w, n, "malloc_trim")) o.kind = OP_TRIM, o.a = number();
            else if (eq(w, n, "valloc")) o.kind = OP_VALLOC, o.id = number(), o.a = number();
            else if (eq(w, n, "pvalloc")) o.kind = OP_PVALLOC, o.id = number(), o.a = number();
            else if (eq(w, n, "posix_memalign")) o.kind = OP_POSIX_MEMALIGN, o.id = number(), o.a = number(), o.b = number();
            else known = 0;
            if (known) {
                if (nops == cap) die("too many operations");
                ops[nops++] = o;
            }
        }
        while (cur < end && *cur != '\n') ++cur;
        if (cur < end) ++cur;
    }
}

/* ---- the ID table: open addressing, linear probing, backward-shift deletion ---- */
struct slot { uint64_t id; void *p; int used; };
static struct slot *table;
static size_t tmask;
static size_t hash(uint64_t id) { return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 20) & tmask; }
static void id_set(uint64_t id, void *p) {
    size_t i = hash(id);
    while (table[i].used && table[i].id != id) i = (i + 1) & tmask;
    table[i].used = 1, table[i].id = id, table[i].p = p;
}
static void *id_get(uint64_t id) {
    for (size_t i = hash(id); table[i].used; i = (i + 1) & tmask)
        if (table[i].id == id) return table[i].p;
    return 0;
}
static void id_del(uint64_t id) {
    size_t i = hash(id);
    while (table[i].used && table[i].id != id) i = (i + 1) & tmask;
    if (!table[i].used) return;
    table[i].used = 0;
    for (size_t j = (i + 1) & tmask; table[j].used; j = (j + 1) & tmask) {
        size_t h = hash(table[j].id);
        /* can slot j move to the hole at i? */
        if ((j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j))) {
            table[i] = table[j];
            table[j].used = 0;
            i = j;
        }
    }
}

/* ---- output ---- */
static char *out, *outp;
static size_t outcap;
static void flush_out(void) {
    size_t n = (size_t)(outp - out);
    for (size_t off = 0; off < n;) {
        ssize_t w = write(1, out + off, n - off);
        if (w <= 0) _exit(3);
        off += (size_t)w;
    }
    outp = out;
}
static void put(const char *s) {
    size_t n = strlen(s);
    if ((size_t)(outp - out) + n + 64 > outcap) flush_out();
    memcpy(outp, s, n);
    outp += n;
}
static void put_hex(uint64_t v) {
    char b[24];
    int i = 23;
    b[i] = 0;
    do {
        b[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    put("0x");
    put(b + i);
}
static void put_dec(uint64_t v) {
    char b[24];
    int i = 23;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(b + i);
}

static uintptr_t heap0;
static uintptr_t arenas_seen[4096], heaps_seen[4096];
static size_t narenas_seen, nheaps_seen;
static size_t ordinal(uintptr_t *seen, size_t *n, uintptr_t v) {
    for (size_t i = 0; i < *n; ++i)
        if (seen[i] == v) return i + 1;
    if (*n < 4096) seen[(*n)++] = v;
    return *n;
}
static void put_where(void *ptr) {
    if (!ptr) {
        put("0");
        return;
    }
    uintptr_t p = (uintptr_t)ptr;
    uint64_t head = ((uint64_t *)ptr)[-1], prev = ((uint64_t *)ptr)[-2];
    if (head & 2) {
        put("m+");
        put_hex(prev + 16);
    } else if (head & 4) {
        uintptr_t heap = p & ~(uintptr_t)((64u << 20) - 1);
        uintptr_t ar = *(uintptr_t *)heap;
        put("a");
        put_dec(ordinal(arenas_seen, &narenas_seen, ar));
        put(".h");
        put_dec(ordinal(heaps_seen, &nheaps_seen, heap));
        put("+");
        put_hex(p - heap);
    } else {
        put("h+");
        put_hex(p - heap0);
    }
}

/* ---- replay ---- */
static int quiet, faults;
static size_t pos;  /* next operation */
static uint64_t main_tid;
static int have_main;

struct worker {
    uint64_t tid;
    pthread_t th;
    pid_t ktid;
    int exit_now;
};
static struct worker workers[1024];
static size_t nworkers;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static uint64_t running;      /* the trace TID allowed to run */
static uint64_t pending;      /* main thread: the TID a worker asked to switch to */
static int pending_kind;      /* 0 none, 1 switch, 2 exit */

static long minflt(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static void run_one(const struct op *o) {
    long f0 = faults ? minflt() : 0;
    void *r = 0;
    int ret = 0, is_ptr = 1;
    switch (o->kind) {
    case OP_MALLOC: r = malloc(o->a); id_set(o->id, r); break;
    case OP_CALLOC: r = calloc(o->a, o->b); id_set(o->id, r); break;
    case OP_REALLOC: {
        void *old = id_get(o->id);
        r = realloc(old, o->a);
        id_del(o->id);
        if (r || o->a != 0) id_set(o->id2, r ? r : old);
        break;
    }
    case OP_MEMALIGN: r = memalign(o->a, o->b); id_set(o->id, r); break;
    case OP_VALLOC: r = valloc(o->a); id_set(o->id, r); break;
    case OP_PVALLOC: r = pvalloc(o->a); id_set(o->id, r); break;
    case OP_POSIX_MEMALIGN:
        if (posix_memalign(&r, o->a, o->b) != 0) r = 0;
        id_set(o->id, r);
        break;
    case OP_FREE: free(id_get(o->id)); id_del(o->id); is_ptr = 0; break;
    case OP_MALLOPT: ret = mallopt((int)(int64_t)o->a, (int)(int64_t)o->b); is_ptr = 0; break;
    case OP_TRIM: ret = malloc_trim(o->a); is_ptr = 0; break;
    }
    /* Taken before the line is formatted: a fresh page of the output buffer is the replayer's fault,
       not the call's. */
    long f1 = faults ? minflt() : 0;
    if (quiet) return;
    uintptr_t brk_now = (uintptr_t)sbrk(0);
    put(op_names[o->kind]);
    put(" ");
    if (is_ptr) put_where(r);
    else if (o->kind == OP_FREE) put("-");
    else {
        put("=");
        put_dec((uint64_t)ret);
    }
    put(" b+");
    put_hex(brk_now - heap0);
    if (faults) {
        put(" f=");
        put_dec((uint64_t)(f1 - f0));
    }
    put("\n");
}

static struct worker *find_worker(uint64_t tid) {
    for (size_t i = 0; i < nworkers; ++i)
        if (workers[i].tid == tid && workers[i].th) return &workers[i];
    return 0;
}

/* Runs operations as thread SELF until the trace switches away; returns the op that did. */
static const struct op *run_until_switch(uint64_t self) {
    while (pos < nops) {
        const struct op *o = &ops[pos];
        if ((o->kind == OP_THREAD && o->id != self) || o->kind == OP_THREAD_EXIT) return o;
        ++pos;
        if (o->kind != OP_THREAD) run_one(o);
    }
    return 0;
}

static void *worker_main(void *arg) {
    struct worker *w = arg;
    w->ktid = (pid_t)syscall(SYS_gettid);
    pthread_mutex_lock(&mu);
    for (;;) {
        while (running != w->tid) pthread_cond_wait(&cv, &mu);
        if (w->exit_now) break;
        pthread_mutex_unlock(&mu);
        const struct op *o = run_until_switch(w->tid);
        pthread_mutex_lock(&mu);
        /* hand the switch (or the end) back to the main thread */
        if (o) ++pos;
        pending_kind = o ? (o->kind == OP_THREAD ? 1 : 2) : 3;
        pending = o ? o->id : 0;
        running = main_tid;
        pthread_cond_broadcast(&cv);
    }
    pthread_mutex_unlock(&mu);
    return 0;  /* start_thread runs glibc's thread-exit cleanup (tcache, arena) */
}

static void switch_to(uint64_t tid) {
    struct worker *w = find_worker(tid);
    if (!w) {
        if (nworkers == sizeof workers / sizeof workers[0]) die("too many threads");
        w = &workers[nworkers++];
        w->tid = tid;
        w->exit_now = 0;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        if (pthread_create(&w->th, &attr, worker_main, w) != 0) die("pthread_create failed");
        pthread_attr_destroy(&attr);
    }
    pthread_mutex_lock(&mu);
    running = tid;
    pending_kind = 0;
    pthread_cond_broadcast(&cv);
    while (running != main_tid) pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static void exit_thread(uint64_t tid) {
    struct worker *w = find_worker(tid);
    if (!w) return;
    pthread_mutex_lock(&mu);
    w->exit_now = 1;
    running = tid;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    /* wait until the kernel has reaped the thread: glibc's cleanup has run */
    while (w->ktid == 0 || syscall(SYS_tgkill, getpid(), w->ktid, 0) == 0) sched_yield();
    pthread_mutex_lock(&mu);
    running = main_tid;
    pthread_mutex_unlock(&mu);
    w->th = 0;
}

int main(int argc, char **argv) {
    const char *path = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "-q") == 0) quiet = 1;
        else if (strcmp(argv[i], "-f") == 0) faults = 1;
        else path = argv[i];
    }
    if (!path) die("usage: replay [-f] [-q] TRACE.txt");
    int fd = open(path, O_RDONLY);
    if (fd < 0) die("cannot open the trace");
    struct stat st;
    fstat(fd, &st);
    const char *text = "";
    if (st.st_size > 0) {
        text = mmap(0, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (text == MAP_FAILED) die("cannot map the trace");
    }
    parse(text, (size_t)st.st_size);
    size_t cap = 1024;
    while (cap < nops * 2) cap <<= 1;
    table = map_anon(cap * sizeof *table);
    tmask = cap - 1;
    outcap = 1 << 20;
    out = outp = map_anon(outcap);
    if (faults) {
        /* -f: the ID table's pages are touched now, or its first use of a page inside a measured
           call would count as that call's fault. */
        memset(table, 0, cap * sizeof *table);
        memset(out, 0, outcap);
    }

    heap0 = (uintptr_t)sbrk(0);
    if (!quiet) {
        /* The heap start's address: offsets of memalign with an alignment above the page size
           depend on it. */
        put("# heap0 ");
        put_hex(heap0);
        put("\n");
    }
    /* The main thread: the first TID named, if a thread line comes before any call. */
    main_tid = 0;
    if (nops && ops[0].kind == OP_THREAD) main_tid = ops[0].id;
    have_main = 1;
    running = main_tid;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        const struct op *o = run_until_switch(main_tid);
        if (!o) break;
        ++pos;
        for (;;) {
            if (o->kind == OP_THREAD_EXIT) {
                if (o->id == main_tid) die("thread_exit of the main thread is not supported");
                exit_thread(o->id);
                break;
            }
            if (o->id == main_tid) break;
            switch_to(o->id);
            if (pending_kind == 3) goto done;
            if (pending_kind == 2) {
                exit_thread(pending);
                break;
            }
            if (pending == main_tid) break;
            /* a worker switched to another worker: go through the main thread */
            static struct op sw;
            sw.kind = OP_THREAD;
            sw.id = pending;
            o = &sw;
        }
    }
done:
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (quiet) {
        put_dec((uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000ll + (t1.tv_nsec - t0.tv_nsec)));
        put(" ns ");
        put_dec(nops);
        put(" ops\n");
    }
    flush_out();
    _exit(0);
}
