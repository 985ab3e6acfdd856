/* arena-threads.c: four worker threads allocate and free, and hand blocks to each other, so
 * glibc gives each its own arena (arena_get2 creates one per thread up to 8 * cores) and frees
 * land in arenas other than the freeing thread's. Recorded as traces/arena-threads.trace.
 *
 *   cc -O2 -pthread -o arena-threads arena-threads.c && ./arena-threads
 *
 * Deterministic: a fixed xorshift seed per thread; the only run-to-run differences are how the
 * threads interleave within a phase and which mailbox slots are full when a block is offered. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 4, ROUNDS = 1500, SLOTS = 64, MAILBOX = 32 };

/* Blocks passed from each thread to the next one, freed by the receiver. */
static struct {
    pthread_mutex_t lock;
    void *slot[MAILBOX];
    int count;
} mailbox[THREADS];

/* The workers run in lockstep phases of PHASE rounds: all four are alive at once (so each gets
 * an arena of its own) and their calls interleave even when a recorder serializes them. */
enum { PHASE = 50 };
static pthread_barrier_t phase;

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Mostly small (tcache and fastbin sizes), some medium, a few above the 128 KiB mmap threshold. */
static size_t pick_size(uint64_t *s)
{
    uint64_t r = next_rand(s) % 100;
    if (r < 70)
        return 8 + next_rand(s) % 120;
    if (r < 97)
        return 128 + next_rand(s) % 4000;
    return 131072 + next_rand(s) % 65536;
}

static void *worker(void *arg)
{
    int me = (int)(intptr_t)arg;
    uint64_t seed = 0x9E3779B97F4A7C15ull * (uint64_t)(me + 1);
    void *mine[SLOTS] = {0};
    size_t checksum = 0;
    for (int round = 0; round < ROUNDS; ++round) {
        if (round % PHASE == 0)
            pthread_barrier_wait(&phase);
        int i = (int)(next_rand(&seed) % SLOTS);
        if (mine[i] && next_rand(&seed) % 4 == 0) {
            mine[i] = realloc(mine[i], pick_size(&seed));
        } else {
            free(mine[i]);
            size_t n = pick_size(&seed);
            mine[i] = malloc(n);
            memset(mine[i], me, n < 64 ? n : 64);
        }
        /* Every few rounds, give a block away to the next thread ... */
        if (round % 5 == 0 && mine[i]) {
            int to = (me + 1) % THREADS;
            pthread_mutex_lock(&mailbox[to].lock);
            if (mailbox[to].count < MAILBOX) {
                mailbox[to].slot[mailbox[to].count++] = mine[i];
                mine[i] = NULL;
            }
            pthread_mutex_unlock(&mailbox[to].lock);
        }
        /* ... and free what the previous one gave us (into the giver's arena). */
        if (round % 7 == 0) {
            pthread_mutex_lock(&mailbox[me].lock);
            while (mailbox[me].count > 0) {
                char *p = mailbox[me].slot[--mailbox[me].count];
                checksum += (unsigned char)p[0];
                free(p);
            }
            pthread_mutex_unlock(&mailbox[me].lock);
        }
    }
    pthread_barrier_wait(&phase);
    for (int i = 0; i < SLOTS; ++i)
        free(mine[i]);
    return (void *)checksum;
}

int main(void)
{
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; ++i)
        pthread_mutex_init(&mailbox[i].lock, NULL);
    pthread_barrier_init(&phase, NULL, THREADS);
    for (int i = 0; i < THREADS; ++i)
        pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
    size_t total = 0;
    for (int i = 0; i < THREADS; ++i) {
        void *r;
        pthread_join(t[i], &r);
        total += (size_t)r;
    }
    for (int i = 0; i < THREADS; ++i)  /* blocks given to threads that had already finished */
        while (mailbox[i].count > 0)
            free(mailbox[i].slot[--mailbox[i].count]);
    printf("checksum %zu\n", total);
    return 0;
}
