/*
 * workers.c - fixed-size thread pool with one FIFO queue (see workers.h).
 */
#include "workers.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>

struct job {
	worker_fn fn;
	void *arg;
	struct job *next;
};

struct workers {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	int pending;
	int running;               /* jobs being run now */
	int stopping;
	int n;
	int connect;               /* open the database connection before the first job */
	pthread_t *threads;
};

static void *worker_main(void *arg)
{
	struct workers *w = arg;
	if (w->connect)
		store_thread();
	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		struct job *j = w->head;
		if (j) {
			w->head = j->next;
			if (!w->head)
				w->tail = NULL;
			w->pending--;
			w->running++;
		}
		pthread_mutex_unlock(&w->lock);
		if (!j)
			break; /* stopping and the queue is empty */
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&w->lock);
		w->running--;
		pthread_mutex_unlock(&w->lock);
	}
	store_thread_close();
	return NULL;
}

struct workers *workers_start(int n, int connect)
{
	struct workers *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->connect = connect;
	w->threads = calloc((size_t)n, sizeof *w->threads);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	for (int i = 0; w->threads && i < n; i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0)
			break;
		w->n++;
	}
	if (w->n == 0) {
		free(w->threads);
		free(w);
		return NULL;
	}
	return w;
}

int workers_submit(struct workers *w, worker_fn fn, void *arg)
{
	struct job *j = malloc(sizeof *j);
	if (!j)
		return -1;
	*j = (struct job){ fn, arg, NULL };
	pthread_mutex_lock(&w->lock);
	if (w->stopping) {
		pthread_mutex_unlock(&w->lock);
		free(j);
		return -1;
	}
	if (w->tail)
		w->tail->next = j;
	else
		w->head = j;
	w->tail = j;
	w->pending++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int workers_busy(struct workers *w)
{
	pthread_mutex_lock(&w->lock);
	int n = w->pending + w->running;
	pthread_mutex_unlock(&w->lock);
	return n;
}

int workers_pending(struct workers *w)
{
	pthread_mutex_lock(&w->lock);
	int n = w->pending;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void workers_stop(struct workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->threads);
	free(w);
}
