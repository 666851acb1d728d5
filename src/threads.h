#ifndef XINIT_THREADS_H
#define XINIT_THREADS_H

#define XI_MAX_THREADS 256

typedef void (*xi_task_fn)(void *arg, unsigned index);

/* fn(arg, i) for every i < count (at most XI_MAX_THREADS), i = 0 on the
 * calling thread; returns when all are done. */
void xi_run_parallel(xi_task_fn fn, void *arg, unsigned count);

#endif
