/* memsim_record.c: an LD_PRELOAD library that writes a program's heap calls as a memsim text
 * trace (docs/trace-format.md), with the thread of each call. Built and preloaded by
 * scripts/record/record; docs/capturing.md says how to use it and what it leaves out.
 *
 * What it records: malloc, calloc, realloc, free, memalign, posix_memalign, aligned_alloc,
 * valloc, pvalloc, mallopt, malloc_trim, the
 * program's own anonymous mmap/munmap, thread switches and thread exits. Each event carries the
 * pointer the program got as a trailing comment (`malloc 7 24  # 0x5555555592a0`), so a replay
 * can be checked address by address.
 *
 * Fidelity first: the program's heap must look as if the recorder were not there.
 *   - The recorder never calls malloc. Its own memory (output buffer, pointer table, free-ID
 *     stack) comes from mmap at a hint far below the region the kernel hands out top-down
 *     (FAR_HINT), so it moves neither the brk heap nor the program's later mmaps.
 *   - dlsym may allocate (glibc's dlerror state) before the real functions are known; those
 *     calls are served from a static buffer and never reach glibc.
 *   - glibc's own calls into its allocator do not come back here: __libc_realloc calls
 *     __libc_malloc/__libc_free directly, and malloc's mmap is the internal __mmap (libc.so.6
 *     of glibc 2.36 has no mmap@plt). Calls from libc that do go through the PLT (strdup,
 *     fopen, reallocarray -> realloc@plt) are the program's and are recorded once.
 *
 * Order: one mutex is held across the real call and its record, so the trace lists the calls in
 * the order glibc ran them; a free is written before its block can be handed to another thread.
 * A per-thread guard lets calls made while recording (or from inside an interposed call) pass
 * straight to glibc.
 *
 * Threads, fork, exec: see docs/capturing.md. In short, the process started by the wrapper
 * (MEMSIM_RECORD_PID) writes MEMSIM_RECORD_OUT; exec'd descendants write OUT.PID when
 * MEMSIM_RECORD_CHILDREN=1 and are not traced otherwise; a child that forks without exec stops
 * recording (its heap starts as a copy of the parent's, which a trace of its own could not hold).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Initial-exec TLS: a preloaded library is in the static TLS block, and the general-dynamic
 * model's __tls_get_addr may call malloc. */
#define TLS __thread __attribute__((tls_model("initial-exec")))

extern char **environ;

/* ---- the real functions ---------------------------------------------------------------- */

static struct {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*memalign)(size_t, size_t);
    int (*posix_memalign)(void **, size_t, size_t);
    void *(*aligned_alloc)(size_t, size_t);
    void *(*valloc)(size_t);
    void *(*pvalloc)(size_t);
    int (*mallopt)(int, int);
    int (*malloc_trim)(size_t);
    void *(*mmap)(void *, size_t, int, int, int, off_t);
    int (*munmap)(void *, size_t);
    void (*exit_)(int) __attribute__((noreturn));
} real;

/* dlsym's own allocations while the table above is filled (glibc 2.36 dlerror keeps a
 * per-thread result it callocs). They are few and small; they are never freed to glibc. */
static char boot_heap[8192] __attribute__((aligned(64)));
static size_t boot_used;
static int resolving;

static void *boot_alloc(size_t size)
{
    size_t need = (size + 15) & ~(size_t)15;
    if (need < size || need > sizeof boot_heap - boot_used)
        return NULL;
    void *p = boot_heap + boot_used;
    boot_used += need;
    return p;  /* .bss: already zero, so calloc needs nothing more */
}

static int is_boot(const void *p)
{
    return (const char *)p >= boot_heap && (const char *)p < boot_heap + sizeof boot_heap;
}

static void resolve(void)
{
    if (resolving)
        return;
    resolving = 1;
#define R(name) *(void **)&real.name = dlsym(RTLD_NEXT, #name)
    R(free); R(calloc); R(realloc); R(memalign); R(posix_memalign); R(aligned_alloc);
    R(valloc); R(pvalloc); R(mallopt); R(malloc_trim); R(mmap); R(munmap);
    *(void **)&real.exit_ = dlsym(RTLD_NEXT, "_exit");
    R(malloc);  /* last: a non-NULL real.malloc means the table is complete */
#undef R
    resolving = 0;
}

#define ENSURE_REAL()                    \
    do {                                 \
        if (UNLIKELY(real.malloc == NULL)) \
            resolve();                   \
    } while (0)

/* ---- memory of our own, away from the program's ------------------------------------------ */

/* Linux places mmaps top-down below the stack (mm->mmap_base, near 0x7f...); a mapping at 32 TiB
 * is far below anything a normal program reaches, so the program's mappings land where they
 * would without the recorder. Any free address would do: this is a hint, not MAP_FIXED. */
#define FAR_HINT ((uintptr_t)0x200000000000ull)
static uintptr_t far_next = FAR_HINT;

static void *os_map(size_t len)
{
    long r = syscall(SYS_mmap, (void *)far_next, len, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0L);
    if (r == -1 || (uintptr_t)r != far_next)
        r = syscall(SYS_mmap, NULL, len, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
    if (r == -1)
        return NULL;
    if ((uintptr_t)r == far_next)
        far_next += (len + 0xfffff) & ~(uintptr_t)0xfffff;
    return (void *)r;
}

static void os_unmap(void *p, size_t len) { syscall(SYS_munmap, p, len); }

/* ---- state ------------------------------------------------------------------------------ */

enum { UNDECIDED, TRACING, OFF };
static int state = UNDECIDED;
static int with_addrs = 1;
static int out_fd = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_key_t exit_key;
static int exit_key_ok;

static TLS int in_recorder;      /* reentrancy guard */
static TLS unsigned thread_no;   /* 0 until the thread's first event; main thread is 1 */
static unsigned threads_seen;
static unsigned current_thread;  /* the thread of the last event written */

/* ---- output ----------------------------------------------------------------------------- */

#define OUT_CAP (1u << 20)
static char *out_buf;
static size_t out_len;
static int flush_each;  /* after our destructor: late frees go out one by one */

static void write_all(const char *p, size_t n)
{
    while (n > 0 && out_fd >= 0) {
        ssize_t w = write(out_fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {  /* disk full, descriptor closed by the program: stop, do not spin */
            state = OFF;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void flush(void)
{
    if (state == TRACING && out_len > 0)
        write_all(out_buf, out_len);
    if (state != UNDECIDED)
        out_len = 0;
}

/* One line is built on the stack, then appended. */
struct line {
    char b[512];
    unsigned n;
};

static void put_str(struct line *l, const char *s)
{
    while (*s && l->n < sizeof l->b - 1)
        l->b[l->n++] = *s++;
}

static void put_u64(struct line *l, uint64_t v)
{
    char t[20];
    int k = 0;
    do {
        t[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k && l->n < sizeof l->b - 1)
        l->b[l->n++] = t[--k];
}

static void put_i64(struct line *l, int64_t v)
{
    if (v < 0) {
        put_str(l, "-");
        put_u64(l, (uint64_t)0 - (uint64_t)v);
    } else {
        put_u64(l, (uint64_t)v);
    }
}

static void put_hex(struct line *l, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char t[16];
    int k = 0;
    do {
        t[k++] = digits[v & 15];
        v >>= 4;
    } while (v);
    put_str(l, "0x");
    while (k && l->n < sizeof l->b - 1)
        l->b[l->n++] = t[--k];
}

static void put_ptr(struct line *l, const void *p)
{
    if (with_addrs) {
        put_str(l, "  # ");
        put_hex(l, (uintptr_t)p);
    }
}

static void append(const char *p, size_t n)
{
    if (out_buf == NULL || state == OFF)
        return;
    if (out_len + n > OUT_CAP) {
        flush();
        if (out_len + n > OUT_CAP)  /* still undecided and full: the start is lost */
            return;
    }
    memcpy(out_buf + out_len, p, n);
    out_len += n;
}

static void end_line(struct line *l)
{
    l->b[l->n++] = '\n';
    append(l->b, l->n);
    if (flush_each)
        flush();
}

static void thread_gone(void *round);

/* Before each event: `thread N` when the calling thread is not the one of the last event. */
static void switch_thread(void)
{
    if (UNLIKELY(thread_no == 0)) {
        thread_no = ++threads_seen;
        if (exit_key_ok)
            pthread_setspecific(exit_key, (void *)1);
        struct line l = {.n = 0};
        put_str(&l, "thread ");
        put_u64(&l, thread_no);
        put_str(&l, "  # tid ");
        put_u64(&l, (uint64_t)syscall(SYS_gettid));
        end_line(&l);
        current_thread = thread_no;
        return;
    }
    if (thread_no != current_thread) {
        struct line l = {.n = 0};
        put_str(&l, "thread ");
        put_u64(&l, thread_no);
        end_line(&l);
        current_thread = thread_no;
    }
}

/* ---- pointer -> ID ---------------------------------------------------------------------- */

/* Open addressing with linear probing and backward-shift deletion; key 0 is an empty slot. */
struct slot {
    uintptr_t key;
    uint64_t id;      /* bit 63: an mmap region */
    uint64_t length;  /* mmap regions: the length mapped */
};
#define MMAP_BIT (1ull << 63)

static struct slot *table;
static size_t table_cap, table_used;

static uint64_t *free_ids;  /* released IDs, reused last-released first */
static size_t free_ids_len, free_ids_cap;
static uint64_t next_id = 1;

static size_t hash(uintptr_t k) { return (size_t)((k * 0x9E3779B97F4A7C15ull) >> 20); }

static void table_put(uintptr_t key, uint64_t id, uint64_t length);

static int table_grow(void)
{
    size_t cap = table_cap ? table_cap * 2 : (size_t)1 << 16;
    struct slot *t = os_map(cap * sizeof *t);
    if (t == NULL)
        return 0;
    struct slot *old = table;
    size_t old_cap = table_cap;
    table = t;
    table_cap = cap;
    table_used = 0;
    for (size_t i = 0; i < old_cap; ++i)
        if (old[i].key)
            table_put(old[i].key, old[i].id, old[i].length);
    if (old)
        os_unmap(old, old_cap * sizeof *old);
    return 1;
}

static void table_put(uintptr_t key, uint64_t id, uint64_t length)
{
    if ((table_used + 1) * 2 > table_cap && !table_grow())
        return;
    size_t mask = table_cap - 1, i = hash(key) & mask;
    while (table[i].key && table[i].key != key)
        i = (i + 1) & mask;
    if (!table[i].key)
        ++table_used;
    table[i] = (struct slot){key, id, length};
}

static struct slot *table_find(uintptr_t key)
{
    if (!table_cap || !key)
        return NULL;
    size_t mask = table_cap - 1, i = hash(key) & mask;
    while (table[i].key) {
        if (table[i].key == key)
            return &table[i];
        i = (i + 1) & mask;
    }
    return NULL;
}

static void table_erase(struct slot *s)
{
    size_t mask = table_cap - 1, i = (size_t)(s - table), j = i;
    table[i].key = 0;
    --table_used;
    for (;;) {  /* pull later members of the run back over the hole */
        j = (j + 1) & mask;
        if (!table[j].key)
            return;
        size_t home = hash(table[j].key) & mask;
        if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
            table[i] = table[j];
            table[j].key = 0;
            i = j;
        }
    }
}

static uint64_t id_take(void)
{
    return free_ids_len ? free_ids[--free_ids_len] : next_id++;
}

static void id_release(uint64_t id)
{
    if (free_ids_len == free_ids_cap) {
        size_t cap = free_ids_cap ? free_ids_cap * 2 : 1 << 16;
        uint64_t *n = os_map(cap * sizeof *n);
        if (n == NULL)
            return;  /* the ID is simply never reused */
        if (free_ids) {
            memcpy(n, free_ids, free_ids_len * sizeof *n);
            os_unmap(free_ids, free_ids_cap * sizeof *n);
        }
        free_ids = n;
        free_ids_cap = cap;
    }
    free_ids[free_ids_len++] = id;
}

/* A new live block at p. A pointer still live in the table means we missed its release (made
 * where the recorder cannot see it, e.g. a free by code that calls __libc_free); its old ID is
 * released first with a comment, so the trace stays consistent. */
static uint64_t block_new(const void *p, int is_mmap, uint64_t length)
{
    struct slot *s = table_find((uintptr_t)p);
    if (s) {
        uint64_t old = s->id & ~MMAP_BIT;
        struct line l = {.n = 0};
        put_str(&l, (s->id & MMAP_BIT) ? "munmap " : "free ");
        put_u64(&l, old);
        put_str(&l, "  # released unseen");
        put_ptr(&l, p);
        end_line(&l);
        table_erase(s);
        id_release(old);
    }
    uint64_t id = id_take();
    table_put((uintptr_t)p, id | (is_mmap ? MMAP_BIT : 0), length);
    return id;
}

/* ---- deciding where to write ------------------------------------------------------------ */

static void header(const char *path)
{
    struct line l = {.n = 0};
    put_str(&l, "# memsim-trace v1");
    end_line(&l);

    /* The command line, NULs as spaces, cut to fit one line. */
    l.n = 0;
    put_str(&l, "# command:");
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char cmd[400];
        ssize_t n = read(fd, cmd, sizeof cmd);
        close(fd);
        for (ssize_t i = 0; i < n; ++i) {
            if (i == 0 || cmd[i - 1] == '\0')
                put_str(&l, " ");
            if (cmd[i] == '\n')
                put_str(&l, "\\n");  /* the comment must stay on one line */
            else if (cmd[i] != '\0' && l.n < sizeof l.b - 8)
                l.b[l.n++] = cmd[i];
        }
        if (n == (ssize_t)sizeof cmd)
            put_str(&l, " ...");
    }
    end_line(&l);

    l.n = 0;
    put_str(&l, "# recorder: scripts/record/memsim_record.c, pid ");
    put_u64(&l, (uint64_t)getpid());
    put_str(&l, ", glibc ");
    put_str(&l, gnu_get_libc_version());
    put_str(&l, ", ");
    put_u64(&l, (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
    put_str(&l, " cpus online, initial brk ");
    put_hex(&l, (uintptr_t)sbrk(0));
    end_line(&l);

    /* Settings that change glibc malloc's behaviour, as the program had them. */
    for (char **e = environ; e && *e; ++e)
        if (strncmp(*e, "MALLOC_", 7) == 0 || strncmp(*e, "GLIBC_TUNABLES=", 15) == 0 ||
            strncmp(*e, "PYTHONMALLOC=", 13) == 0) {
            l.n = 0;
            put_str(&l, "# env: ");
            put_str(&l, *e);
            end_line(&l);
        }
    (void)path;
}

/* Decide whether this process records, and open its file. Needs the environment, which libc
 * sets up before anything we can be called from; if it is not there yet, the events wait in the
 * buffer. */
static void decide(void)
{
    if (state != UNDECIDED || environ == NULL)
        return;
    const char *out = getenv("MEMSIM_RECORD_OUT");
    const char *root = getenv("MEMSIM_RECORD_PID");
    const char *children = getenv("MEMSIM_RECORD_CHILDREN");
    const char *addrs = getenv("MEMSIM_RECORD_ADDRS");
    with_addrs = !(addrs && strcmp(addrs, "0") == 0);
    if (out == NULL || *out == '\0') {
        state = OFF;
        return;
    }
    long pid = (long)getpid();
    char path[PATH_MAX];
    size_t n = strlen(out);
    if (n + 24 > sizeof path) {
        state = OFF;
        return;
    }
    memcpy(path, out, n + 1);
    if (root == NULL || strtol(root, NULL, 10) != pid) {
        if (root != NULL && !(children && strcmp(children, "1") == 0)) {
            state = OFF;
            return;
        }
        /* An exec'd descendant (or no wrapper at all): a file of its own, OUT.PID. */
        struct line l = {.n = 0};
        put_str(&l, ".");
        put_u64(&l, (uint64_t)pid);
        memcpy(path + n, l.b, l.n);
        path[n + l.n] = '\0';
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        state = OFF;
        return;
    }
    /* Out of the way of the program's own descriptors (a program may expect open() to return
     * 3), as high as the soft limit allows. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 64) {
        int high = fcntl(fd, F_DUPFD_CLOEXEC, (int)(rl.rlim_cur > 1024 ? 1000 : rl.rlim_cur - 24));
        if (high >= 0) {
            close(fd);
            fd = high;
        }
    }
    out_fd = fd;

    /* The header goes before the events already buffered. */
    size_t pending = out_len;
    char *events = NULL;
    if (pending) {
        events = os_map(pending);
        if (events)
            memcpy(events, out_buf, pending);
    }
    out_len = 0;
    state = TRACING;
    header(path);
    if (events) {
        append(events, pending);
        os_unmap(events, pending);
    }
}

static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);

static int setup_done;

static void setup(void)
{
    if (setup_done)
        return;
    setup_done = 1;
    ENSURE_REAL();
    out_buf = os_map(OUT_CAP);
    if (out_buf == NULL) {
        state = OFF;
        return;
    }
    /* glibc keeps the first 32 keys' values in struct pthread: no allocation. */
    exit_key_ok = pthread_key_create(&exit_key, thread_gone) == 0;
    pthread_atfork(fork_prepare, fork_parent, fork_child);
    decide();
}

/* ---- the record around each call -------------------------------------------------------- */

/* Enter: returns 1 if this call is to be recorded, with the lock held and errno saved. */
static int enter(void)
{
    if (in_recorder || state == OFF)
        return 0;
    in_recorder = 1;
    if (UNLIKELY(!setup_done))
        setup();
    if (state == OFF) {
        in_recorder = 0;
        return 0;
    }
    pthread_mutex_lock(&lock);
    if (UNLIKELY(state == UNDECIDED))
        decide();
    return 1;
}

static void leave(void)
{
    pthread_mutex_unlock(&lock);
    in_recorder = 0;
}

static void record_alloc(const char *op, const void *p, uint64_t a, uint64_t b, int two,
                         const char *note)
{
    struct line l = {.n = 0};
    switch_thread();
    if (p == NULL) {
        put_str(&l, "# failed ");
        put_str(&l, op);
        put_str(&l, " ");
        put_u64(&l, a);
        if (two) {
            put_str(&l, " ");
            put_u64(&l, b);
        }
        end_line(&l);
        return;
    }
    uint64_t id = block_new(p, 0, 0);
    put_str(&l, op);
    put_str(&l, " ");
    put_u64(&l, id);
    put_str(&l, " ");
    put_u64(&l, a);
    if (two) {
        put_str(&l, " ");
        put_u64(&l, b);
    }
    put_ptr(&l, p);
    if (note) {
        put_str(&l, with_addrs ? " " : "  # ");
        put_str(&l, note);
    }
    end_line(&l);
}

/* free(p), and the free half of realloc(p, 0). */
static void record_free(const void *p, const char *note)
{
    struct slot *s = table_find((uintptr_t)p);
    struct line l = {.n = 0};
    switch_thread();
    if (s == NULL || (s->id & MMAP_BIT)) {
        put_str(&l, "# free of an unseen pointer");
        put_ptr(&l, p);
        end_line(&l);
        return;
    }
    uint64_t id = s->id;
    table_erase(s);
    id_release(id);
    put_str(&l, "free ");
    put_u64(&l, id);
    put_ptr(&l, p);
    if (note) {
        put_str(&l, with_addrs ? " " : "  # ");
        put_str(&l, note);
    }
    end_line(&l);
}

/* memalign's ALIGN must be a power of two in the trace. glibc 2.36 _mid_memalign turns an
 * alignment of MALLOC_ALIGNMENT or less into malloc and rounds any other up to a power of two,
 * so the rounded value replays the same. */
static uint64_t pow2_align(size_t a)
{
    if (a <= 1)
        return 1;
    uint64_t p = 1;
    while (p < a && p < (1ull << 63))
        p <<= 1;
    return p;
}

/* ---- the interposed functions ------------------------------------------------------------ */

EXPORT void *malloc(size_t size)
{
    if (UNLIKELY(real.malloc == NULL)) {
        resolve();
        if (real.malloc == NULL)
            return boot_alloc(size);
    }
    if (!enter())
        return real.malloc(size);
    void *p = real.malloc(size);
    int e = errno;
    record_alloc("malloc", p, size, 0, 0, NULL);
    leave();
    errno = e;
    return p;
}

EXPORT void *calloc(size_t nmemb, size_t size)
{
    if (UNLIKELY(real.malloc == NULL)) {
        resolve();
        if (real.calloc == NULL || real.malloc == NULL) {
            size_t n;
            return __builtin_mul_overflow(nmemb, size, &n) ? NULL : boot_alloc(n);
        }
    }
    if (!enter())
        return real.calloc(nmemb, size);
    void *p = real.calloc(nmemb, size);
    int e = errno;
    record_alloc("calloc", p, nmemb, size, 1, NULL);
    leave();
    errno = e;
    return p;
}

EXPORT void free(void *p)
{
    if (p == NULL || is_boot(p))
        return;  /* free(NULL) does nothing in glibc and is not a call the model sees */
    ENSURE_REAL();
    if (!enter()) {
        real.free(p);
        return;
    }
    int e = errno;
    record_free(p, NULL);  /* before the block can go to another thread */
    real.free(p);
    leave();
    errno = e;
}

EXPORT void *realloc(void *old, size_t size)
{
    if (UNLIKELY(is_boot(old))) {  /* move a bootstrap block to the real heap, unrecorded */
        ENSURE_REAL();
        void *p = real.malloc(size);
        if (p)
            memcpy(p, old, size < (size_t)(boot_heap + sizeof boot_heap - (char *)old)
                               ? size : (size_t)(boot_heap + sizeof boot_heap - (char *)old));
        return p;
    }
    if (UNLIKELY(real.malloc == NULL)) {
        resolve();
        if (real.realloc == NULL || real.malloc == NULL)
            return old ? NULL : boot_alloc(size);
    }
    if (!enter())
        return real.realloc(old, size);
    void *p = real.realloc(old, size);
    int e = errno;
    struct slot *s = old ? table_find((uintptr_t)old) : NULL;
    if (old == NULL) {
        record_alloc("malloc", p, size, 0, 0, "realloc(NULL, n)");
    } else if (p == NULL && size == 0) {
        record_free(old, "realloc(p, 0)");  /* glibc 2.36: REALLOC_ZERO_BYTES_FREES */
    } else if (p == NULL) {
        struct line l = {.n = 0};
        switch_thread();
        put_str(&l, "# failed realloc ");
        if (s) {
            put_u64(&l, s->id & ~MMAP_BIT);
        } else {
            put_str(&l, "?");
        }
        put_str(&l, " ");
        put_u64(&l, size);
        end_line(&l);
    } else if (s == NULL || (s->id & MMAP_BIT)) {
        /* The old block was never seen: its new home is all we can record. */
        record_alloc("malloc", p, size, 0, 0, "realloc of an unseen pointer");
    } else {
        uint64_t old_id = s->id, new_id = old_id;
        switch_thread();
        if (p != old) {
            /* Take the new ID before releasing the old one: NEW = OLD means "in place". */
            table_erase(s);
            new_id = block_new(p, 0, 0);
            id_release(old_id);
        }
        struct line l = {.n = 0};
        put_str(&l, "realloc ");
        put_u64(&l, old_id);
        put_str(&l, " ");
        put_u64(&l, new_id);
        put_str(&l, " ");
        put_u64(&l, size);
        put_ptr(&l, p);
        end_line(&l);
    }
    leave();
    errno = e;
    return p;
}

static void *aligned(const char *name, void *(*fn)(size_t, size_t), size_t align, size_t size,
                     uint64_t rec_align, uint64_t rec_size)
{
    ENSURE_REAL();
    if (!enter())
        return fn(align, size);
    void *p = fn(align, size);
    int e = errno;
    record_alloc("memalign", p, rec_align, rec_size, 1, name);
    leave();
    errno = e;
    return p;
}

EXPORT void *memalign(size_t align, size_t size)
{
    ENSURE_REAL();
    return aligned(NULL, real.memalign, align, size, pow2_align(align), size);
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    ENSURE_REAL();
    return aligned("aligned_alloc", real.aligned_alloc, align, size, pow2_align(align), size);
}

static void *call_valloc(size_t unused, size_t size) { (void)unused; return real.valloc(size); }
static void *call_pvalloc(size_t unused, size_t size) { (void)unused; return real.pvalloc(size); }

EXPORT void *valloc(size_t size)
{
    ENSURE_REAL();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return aligned("valloc", call_valloc, 0, size, page, size);
}

/* glibc 2.36 __libc_pvalloc rounds with `& -(pagesize - 1)`, not `& -pagesize`, so bit 0
 * survives: pvalloc(4096) asks _mid_memalign for 4097 bytes, pvalloc(0) for 1. The trace holds
 * the size glibc passed on. */
EXPORT void *pvalloc(size_t size)
{
    ENSURE_REAL();
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded = size + (page - 1) < size ? size : (size + (page - 1)) & (1 - page);
    return aligned("pvalloc", call_pvalloc, 0, size, page, rounded);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    ENSURE_REAL();
    if (!enter())
        return real.posix_memalign(out, align, size);
    int r = real.posix_memalign(out, align, size);
    int e = errno;
    if (r == 0) {
        record_alloc("memalign", *out, pow2_align(align), size, 1, "posix_memalign");
    } else {
        struct line l = {.n = 0};
        switch_thread();
        put_str(&l, "# failed posix_memalign ");
        put_u64(&l, align);
        put_str(&l, " ");
        put_u64(&l, size);
        put_str(&l, r == EINVAL ? " EINVAL" : " ENOMEM");
        end_line(&l);
    }
    leave();
    errno = e;
    return r;
}

static const char *mallopt_name(int param)
{
    switch (param) {
    case M_MXFAST: return "M_MXFAST";
    case M_TRIM_THRESHOLD: return "M_TRIM_THRESHOLD";
    case M_TOP_PAD: return "M_TOP_PAD";
    case M_MMAP_THRESHOLD: return "M_MMAP_THRESHOLD";
    case M_MMAP_MAX: return "M_MMAP_MAX";
    case M_CHECK_ACTION: return "M_CHECK_ACTION";
    case M_PERTURB: return "M_PERTURB";
    case M_ARENA_TEST: return "M_ARENA_TEST";
    case M_ARENA_MAX: return "M_ARENA_MAX";
    default: return NULL;
    }
}

/* Recorded whatever it returns: glibc 2.36 __libc_mallopt consolidates the arena's fastbins
 * before it looks at the parameter. */
EXPORT int mallopt(int param, int value)
{
    ENSURE_REAL();
    if (!enter())
        return real.mallopt(param, value);
    int r = real.mallopt(param, value);
    int e = errno;
    struct line l = {.n = 0};
    switch_thread();
    put_str(&l, "mallopt ");
    const char *name = mallopt_name(param);
    if (name)
        put_str(&l, name);
    else
        put_i64(&l, param);
    put_str(&l, " ");
    put_i64(&l, value);
    if (r != 1)
        put_str(&l, "  # returned 0");
    end_line(&l);
    leave();
    errno = e;
    return r;
}

/* malloc_trim PAD, with glibc's result (1: memory was released) as a trailing comment. */
EXPORT int malloc_trim(size_t pad)
{
    ENSURE_REAL();
    if (!enter())
        return real.malloc_trim(pad);
    int r = real.malloc_trim(pad);
    int e = errno;
    struct line l = {.n = 0};
    switch_thread();
    put_str(&l, "malloc_trim ");
    put_u64(&l, pad);
    put_str(&l, "  # -> ");
    put_i64(&l, r);
    end_line(&l);
    leave();
    errno = e;
    return r;
}

static void put_prot(struct line *l, int prot)
{
    if ((prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) == 0) {
        put_str(l, "none");
        return;
    }
    if (prot & PROT_READ)
        put_str(l, "r");
    if (prot & PROT_WRITE)
        put_str(l, "w");
    if (prot & PROT_EXEC)
        put_str(l, "x");
}

/* Only the program's calls arrive here: glibc's malloc maps its chunks, heaps and thread stacks
 * through the internal __mmap, which does not go through the PLT. The trace format's mmap is an
 * anonymous private mapping at an address of the kernel's choosing; other mappings become
 * comments. */
EXPORT void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    ENSURE_REAL();
    if (!enter())
        return real.mmap(addr, length, prot, flags, fd, offset);
    void *p = real.mmap(addr, length, prot, flags, fd, offset);
    int e = errno;
    struct line l = {.n = 0};
    switch_thread();
    int anon_private = (flags & MAP_ANONYMOUS) && (flags & MAP_TYPE) == MAP_PRIVATE &&
                       !(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE));
    if (p == MAP_FAILED) {
        put_str(&l, "# failed mmap ");
        put_u64(&l, length);
        put_str(&l, " flags ");
        put_hex(&l, (unsigned)flags);
    } else if (anon_private && length > 0) {
        uint64_t id = block_new(p, 1, length);
        put_str(&l, "mmap ");
        put_u64(&l, id);
        put_str(&l, " ");
        put_u64(&l, length);
        put_str(&l, " ");
        put_prot(&l, prot);
        put_ptr(&l, p);
        if (flags != (MAP_PRIVATE | MAP_ANONYMOUS)) {
            put_str(&l, with_addrs ? " flags " : "  # flags ");
            put_hex(&l, (unsigned)flags);
        }
    } else {
        put_str(&l, "# mmap ");
        put_str(&l, (flags & MAP_ANONYMOUS) ? "anonymous" : "file");
        put_str(&l, (flags & MAP_TYPE) == MAP_PRIVATE ? " private" : " shared");
        if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE))
            put_str(&l, " fixed");
        put_str(&l, " ");
        put_u64(&l, length);
        put_str(&l, " ");
        put_prot(&l, prot);
        put_str(&l, " at ");
        put_hex(&l, (uintptr_t)p);
    }
    end_line(&l);
    leave();
    errno = e;
    return p;
}

EXPORT void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
    __attribute__((alias("mmap")));

EXPORT int munmap(void *addr, size_t length)
{
    ENSURE_REAL();
    if (!enter())
        return real.munmap(addr, length);
    int e0 = errno;
    struct slot *s = table_find((uintptr_t)addr);
    struct line l = {.n = 0};
    switch_thread();
    /* Written before the unmap, so a region another thread maps next is seen after it. */
    if (s && (s->id & MMAP_BIT) && length >= s->length) {
        uint64_t id = s->id & ~MMAP_BIT;
        table_erase(s);
        id_release(id);
        put_str(&l, "munmap ");
        put_u64(&l, id);
        put_ptr(&l, addr);
    } else {
        put_str(&l, s && (s->id & MMAP_BIT) ? "# munmap of part of region " : "# munmap ");
        if (s && (s->id & MMAP_BIT)) {
            put_u64(&l, s->id & ~MMAP_BIT);
            put_str(&l, " ");
        }
        put_u64(&l, length);
        put_str(&l, " at ");
        put_hex(&l, (uintptr_t)addr);
    }
    end_line(&l);
    errno = e0;
    int r = real.munmap(addr, length);
    leave();
    return r;
}

/* _exit skips exit()'s handlers and our destructor; dash and many forked children end this way.
 * (exit() itself reaches _exit inside libc, not through here.) */
static void flush_now(void)
{
    if (in_recorder || state == OFF)
        return;
    in_recorder = 1;
    pthread_mutex_lock(&lock);
    flush();
    pthread_mutex_unlock(&lock);
    in_recorder = 0;
}

EXPORT void _exit(int status)
{
    ENSURE_REAL();
    flush_now();
    real.exit_(status);
}

EXPORT void _Exit(int status) __attribute__((alias("_exit")));

/* ---- threads, fork, start and end ------------------------------------------------------- */

/* The exit_key destructor. glibc runs TSD destructors in up to PTHREAD_DESTRUCTOR_ITERATIONS
 * rounds while any value is set; re-arming until the last round puts thread_exit after the frees
 * other keys' destructors make. glibc frees the thread's tcache (tcache_thread_shutdown) and
 * detaches its arena after all of them, which is what thread_exit stands for. */
static void thread_gone(void *round)
{
    uintptr_t r = (uintptr_t)round;
    if (r < PTHREAD_DESTRUCTOR_ITERATIONS) {
        pthread_setspecific(exit_key, (void *)(r + 1));
        return;
    }
    if (in_recorder || state == OFF)
        return;
    in_recorder = 1;
    pthread_mutex_lock(&lock);
    switch_thread();
    struct line l = {.n = 0};
    put_str(&l, "thread_exit ");
    put_u64(&l, thread_no);
    end_line(&l);
    pthread_mutex_unlock(&lock);
    in_recorder = 0;
}

static void fork_prepare(void)
{
    if (state == OFF)
        return;
    ++in_recorder;
    pthread_mutex_lock(&lock);
}

static void fork_parent(void)
{
    if (state == OFF)
        return;
    struct line l = {.n = 0};
    switch_thread();
    put_str(&l, "# fork (the child is not traced unless it execs and --children is on)");
    end_line(&l);
    pthread_mutex_unlock(&lock);
    --in_recorder;
}

/* The child's heap is a copy of the parent's: a trace of its own would begin with frees of
 * blocks it never allocated. It stops recording; if it execs, the new program decides afresh. */
static void fork_child(void)
{
    if (state == OFF)
        return;
    pthread_mutex_init(&lock, NULL);
    out_len = 0;  /* the parent's unwritten events are the parent's to write */
    state = OFF;
    if (out_fd >= 0)
        close(out_fd);
    out_fd = -1;
    --in_recorder;
}

static void at_exit_flush(void) { flush_now(); }

__attribute__((constructor)) static void recorder_start(void)
{
    ++in_recorder;
    setup();
    --in_recorder;
    if (state != OFF)
        atexit(at_exit_flush);  /* __cxa_atexit's first 32 entries are static: no malloc */
}

/* Runs from _dl_fini, after the atexit handlers; other libraries' destructors may still free
 * after it, so from here on each event is written as it happens. */
__attribute__((destructor)) static void recorder_end(void)
{
    flush_now();
    flush_each = 1;
}
