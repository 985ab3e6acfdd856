/* mtrace_preload.c: turn on glibc's mtrace() before main() in a program we do not rebuild.
 *
 * Built and preloaded by scripts/capture-mtrace, after libc_malloc_debug.so.0: since glibc 2.34
 * the malloc hooks, and with them the real mtrace(), live in libc_malloc_debug.so; the mtrace()
 * in libc.so.6 is a no-op unless that library is preloaded.
 *
 * Why more than a one-line constructor (glibc 2.36 malloc/mtrace-impl.c, do_mtrace):
 *   - mtrace() opens $MALLOC_TRACE with fopen(path, "wce"): it truncates, it does not append.
 *     A child that execs with the same environment would truncate the parent's log and then
 *     write over it through its own file offset.
 *   - The stream is fully buffered (512 bytes). fork() copies the unflushed buffer, and parent
 *     and child then write 512-byte blocks through one shared file offset: lines are duplicated
 *     and cut in half.
 * So only one process writes to each file. The process the script started
 * (MEMSIM_MTRACE_PID) traces to $MALLOC_TRACE. Exec'd descendants trace to
 * $MEMSIM_MTRACE_OUT.<pid> when MEMSIM_MTRACE_CHILDREN=1 and are not traced otherwise. A child
 * that forks without exec has the log's descriptor pointed at /dev/null, so it writes neither
 * its own events nor its copy of the parent's buffer.
 *
 * The stream is switched to line buffering, so each record reaches the file when it is complete:
 * programs that end with _exit() (dash does) or die of a signal would otherwise lose up to 512
 * bytes of log and leave a cut line at its end, which can still parse (a size of 0x3 for 0x30).
 *
 * No destructor calls muntrace(): mtrace() registers release_libc_mem (which calls
 * __libc_freeres) with __cxa_atexit before main runs, so it runs after _dl_fini has run the
 * destructors. muntrace() in a destructor would close the log before those frees. Without it
 * the log has no "= End" line.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <mcheck.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* libio's stream list, exported by libc.so.6 since GLIBC_2.2.5 but no longer declared in any
 * installed header (libio.h went away in glibc 2.28). */
typedef FILE *io_iter;
extern io_iter _IO_iter_begin(void);
extern io_iter _IO_iter_end(void);
extern io_iter _IO_iter_next(io_iter);
extern FILE *_IO_iter_file(io_iter);
extern void _IO_list_lock(void);
extern void _IO_list_unlock(void);

static int trace_fd = -1;  /* descriptor of the stream mtrace() opened, in the tracing process */

/* mtrace() keeps its FILE * private; find its descriptor by the file's identity. */
static int find_trace_fd(const char *path)
{
    struct stat want, have;
    if (stat(path, &want) != 0)
        return -1;
    for (int fd = 0; fd < 1024; ++fd)
        if (fstat(fd, &have) == 0 && have.st_dev == want.st_dev && have.st_ino == want.st_ino)
            return fd;
    return -1;
}

/* mtrace()'s stream, found among all open streams by its descriptor. */
static FILE *find_trace_stream(int fd)
{
    FILE *found = NULL;
    _IO_list_lock();
    for (io_iter it = _IO_iter_begin(); it != _IO_iter_end(); it = _IO_iter_next(it)) {
        FILE *f = _IO_iter_file(it);
        if (fileno(f) == fd) {
            found = f;
            break;
        }
    }
    _IO_list_unlock();
    return found;
}

static void silence_in_forked_child(void)
{
    if (trace_fd < 0)
        return;
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull >= 0) {
        dup3(devnull, trace_fd, O_CLOEXEC);
        close(devnull);
    }
}

__attribute__((constructor)) static void memsim_mtrace_start(void)
{
    const char *path = getenv("MALLOC_TRACE");
    const char *root = getenv("MEMSIM_MTRACE_PID");
    if (path == NULL || *path == '\0')
        return;

    if (root == NULL || strtol(root, NULL, 10) != (long)getpid()) {
        const char *children = getenv("MEMSIM_MTRACE_CHILDREN");
        const char *base = getenv("MEMSIM_MTRACE_OUT");
        if (children == NULL || strcmp(children, "1") != 0 || base == NULL || *base == '\0')
            return;
        /* An exec'd descendant: its own file, so it cannot truncate anyone else's. putenv()
         * of a static string replaces the existing MALLOC_TRACE entry without calling malloc;
         * setenv() would malloc a copy before tracing starts and free it in __libc_freeres,
         * leaving a free of an unknown pointer at the end of the log. */
        static char entry[4096];
        int n = snprintf(entry, sizeof entry, "MALLOC_TRACE=%s.%ld", base, (long)getpid());
        if (n < 0 || n >= (int)sizeof entry || putenv(entry) != 0)
            return;
        path = entry + strlen("MALLOC_TRACE=");
    }

    mtrace();
    trace_fd = find_trace_fd(path);
    FILE *stream = trace_fd >= 0 ? find_trace_stream(trace_fd) : NULL;
    if (stream != NULL) {
        /* mtrace() gave the stream a static buffer, so setvbuf keeps it and does not malloc. */
        setvbuf(stream, NULL, _IOLBF, 0);
        fflush(stream);
    }
    pthread_atfork(NULL, NULL, silence_in_forked_child);
}
