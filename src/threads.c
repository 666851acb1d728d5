/* Run a task on several threads at once: the large-fill splitter. Threads are
 * created per call and joined before it returns, so there is no pool to shut
 * down at exit and nothing to repair after fork(). */
#include "threads.h"

#if defined(_WIN32)
#include <windows.h>
#else
#include <pthread.h>
#endif

typedef struct {
    xi_task_fn fn;
    void *arg;
    unsigned index;
} task_slot;

#if defined(_WIN32)
static DWORD WINAPI run_slot(LPVOID p)
{
    task_slot *slot = (task_slot *)p;
    slot->fn(slot->arg, slot->index);
    return 0;
}
#else
static void *run_slot(void *p)
{
    task_slot *slot = (task_slot *)p;
    slot->fn(slot->arg, slot->index);
    return NULL;
}
#endif

void xi_run_parallel(xi_task_fn fn, void *arg, unsigned count)
{
    task_slot slots[XI_MAX_THREADS];
#if defined(_WIN32)
    HANDLE handles[XI_MAX_THREADS];
#else
    pthread_t handles[XI_MAX_THREADS];
#endif
    int started[XI_MAX_THREADS];
    unsigned i;
    if (count > XI_MAX_THREADS)
        count = XI_MAX_THREADS;
    for (i = 1; i < count; i++) {
        slots[i].fn = fn;
        slots[i].arg = arg;
        slots[i].index = i;
#if defined(_WIN32)
        handles[i] = CreateThread(NULL, 0, run_slot, &slots[i], 0, NULL);
        started[i] = handles[i] != NULL;
#else
        started[i] = pthread_create(&handles[i], NULL, run_slot, &slots[i]) == 0;
#endif
    }
    fn(arg, 0);
    for (i = 1; i < count; i++) {
        if (!started[i]) {            /* no thread to be had: do its share here */
            fn(arg, i);
            continue;
        }
#if defined(_WIN32)
        WaitForSingleObject(handles[i], INFINITE);
        CloseHandle(handles[i]);
#else
        pthread_join(handles[i], NULL);
#endif
    }
}
