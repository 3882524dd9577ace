/*
 * worker.c - the REST worker thread (see worker.h).
 *
 * The queue is a singly linked list under one mutex with a condition variable; the
 * answers go back as job pointers written into a pipe (a pointer is far below
 * PIPE_BUF, so each write is atomic).  The thread owns struct rest and struct
 * session: both are used only here, as session.h asks.  Signals are blocked on this
 * thread so that SIGWINCH and friends reach the UI thread, whose poll() they wake.
 */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buddy_client.h"
#include "rest.h"
#include "session.h"

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct worker_job *head, *tail;
	int stopping;
	int pipe_rd, pipe_wr;
	char *base_url;
	char *cred_path;
	struct rest *rest;        /* worker thread only */
	struct session session;   /* worker thread only */
	int session_ok;           /* session_init succeeded */
	int session_loaded;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void copy_response(struct worker_job *job, struct rest_response *resp)
{
	job->status = resp->status;
	job->json = resp->json;
	resp->json = NULL;
	snprintf(job->error, sizeof job->error, "%s", resp->error);
	snprintf(job->error_code, sizeof job->error_code, "%s", resp->error_code);
	snprintf(job->error_field, sizeof job->error_field, "%s", resp->error_field);
	rest_response_free(resp);
}

static void fail(struct worker_job *job, int status, const char *why)
{
	job->status = status;
	snprintf(job->error, sizeof job->error, "%s", why);
}

/* Loads the credentials file once, on this thread. */
static void load_session(struct worker *w)
{
	if (w->session_loaded)
		return;
	w->session_loaded = 1;
	char err[512];
	if (w->session_ok && session_load(&w->session, err, sizeof err) < 0)
		session_forget(&w->session, err, sizeof err); /* unreadable: start over */
}

static void run_resume(struct worker *w, struct worker_job *job)
{
	load_session(w);
	if (!w->session_ok || !session_logged_in(&w->session, w->base_url)) {
		fail(job, -1, "not logged in");
		return;
	}
	struct rest_response resp;
	session_request(&w->session, w->rest, "GET", "/api/v1/me", NULL, NULL, &resp);
	copy_response(job, &resp);
	if (job->status == 200 && w->session.email)
		job->email = strdup(w->session.email);
}

static void run_auth(struct worker *w, struct worker_job *job, const char *path)
{
	load_session(w);
	struct rest_response resp;
	rest_request(w->rest, "POST", path, job->body, NULL, NULL, &resp);
	if (resp.status == 200 || resp.status == 201) {
		const cJSON *email = cJSON_GetObjectItemCaseSensitive(job->body, "email");
		char err[400];
		/* The credentials file holds one login, shared with the CLI: say when this
		 * one takes the place of another (another account, or another server). */
		const char *base = rest_base_url(w->rest);
		if (w->session_ok && w->session.server && w->session.email &&
		    (!session_logged_in(&w->session, base) || !cJSON_IsString(email) ||
		     strcasecmp(w->session.email, email->valuestring) != 0))
			snprintf(job->replaced, sizeof job->replaced, "%s at %s", w->session.email,
				 w->session.server);
		if (!w->session_ok ||
		    session_accept_auth(&w->session, rest_base_url(w->rest), resp.json,
					cJSON_IsString(email) ? email->valuestring : NULL, err,
					sizeof err) != 0) {
			snprintf(resp.error, sizeof resp.error, "logged in, but the login was not saved: %.400s",
				 w->session_ok ? err : "no credentials file");
		}
		if (w->session.email)
			job->email = strdup(w->session.email);
		/* the tokens stay in the credentials file, not in the UI */
		cJSON_DeleteItemFromObjectCaseSensitive(resp.json, "access_token");
		cJSON_DeleteItemFromObjectCaseSensitive(resp.json, "refresh_token");
	}
	copy_response(job, &resp);
	/* the password is no longer needed anywhere */
	cJSON *pw = cJSON_GetObjectItemCaseSensitive(job->body, "password");
	if (cJSON_IsString(pw))
		explicit_bzero(pw->valuestring, strlen(pw->valuestring));
}

static void run_logout(struct worker *w, struct worker_job *job)
{
	load_session(w);
	struct rest_response resp;
	session_request(&w->session, w->rest, "POST", "/api/v1/auth/logout", NULL, NULL, &resp);
	copy_response(job, &resp);
	char err[512];
	if (w->session_ok && session_forget(&w->session, err, sizeof err) != 0)
		fail(job, 0, err);
	else
		job->status = 204; /* logged out here, whatever the server said */
}

static void run_token(struct worker *w, struct worker_job *job)
{
	load_session(w);
	int status = 0;
	const char *token = buddy_client_token(&w->session, w->rest, 0, &status, job->error,
					       sizeof job->error);
	job->status = token ? 200 : status;
	if (token)
		job->token = strdup(token);
}

static void run_job(struct worker *w, struct worker_job *job)
{
	double t0 = now_ms();
	struct rest_response resp;
	switch (job->kind) {
	case WORKER_REQUEST:
		if (job->auth) {
			load_session(w);
			session_request(&w->session, w->rest, job->method, job->path, job->body,
					job->idempotency_key[0] ? job->idempotency_key : NULL, &resp);
		} else {
			rest_request(w->rest, job->method, job->path, job->body, NULL,
				     job->idempotency_key[0] ? job->idempotency_key : NULL, &resp);
		}
		copy_response(job, &resp);
		break;
	case WORKER_RESUME:
		run_resume(w, job);
		break;
	case WORKER_LOGIN:
		run_auth(w, job, "/api/v1/auth/login");
		break;
	case WORKER_REGISTER:
		run_auth(w, job, "/api/v1/auth/register");
		break;
	case WORKER_LOGOUT:
		run_logout(w, job);
		break;
	case WORKER_TOKEN:
		run_token(w, job);
		break;
	}
	job->elapsed_ms = now_ms() - t0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	w->rest = rest_new(w->base_url);
	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stopping) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		struct worker_job *job = w->head;
		w->head = job->next;
		if (!w->head)
			w->tail = NULL;
		job->next = NULL;
		pthread_mutex_unlock(&w->lock);

		if (w->rest)
			run_job(w, job);
		else
			fail(job, 0, "cannot start the HTTP client");
		ssize_t n;
		do
			n = write(w->pipe_wr, &job, sizeof job);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof job)
			worker_job_free(job);
	}
	rest_free(w->rest);
	w->rest = NULL;
	return NULL;
}

struct worker *worker_start(const char *base_url, const char *cred_path, char *err,
			    size_t errlen)
{
	struct worker *w = calloc(1, sizeof *w);
	int fds[2];
	if (!w || pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot start the worker: %s", strerror(errno));
		free(w);
		return NULL;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	w->pipe_rd = fds[0];
	w->pipe_wr = fds[1];
	w->base_url = strdup(base_url);
	w->cred_path = strdup(cred_path ? cred_path : "");
	w->session_ok = cred_path && session_init(&w->session, cred_path) == 0;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);

	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the worker thread: %s", strerror(rc));
		close(fds[0]);
		close(fds[1]);
		if (w->session_ok)
			session_free(&w->session);
		free(w->base_url);
		free(w->cred_path);
		free(w);
		return NULL;
	}
	return w;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	/* A request may hang on a silent server (libcurl's own timeout is 30 s): quitting
	 * waits a second for it, then leaves the thread to die with the process. */
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	if (pthread_timedjoin_np(w->thread, NULL, &until) != 0) {
		pthread_detach(w->thread);
		return;
	}
	for (struct worker_job *j = w->head, *next; j; j = next) {
		next = j->next;
		worker_job_free(j);
	}
	struct worker_job *job;
	while ((job = worker_take(w)) != NULL)
		worker_job_free(job);
	close(w->pipe_rd);
	close(w->pipe_wr);
	if (w->session_ok)
		session_free(&w->session);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	free(w->base_url);
	free(w->cred_path);
	free(w);
}

int worker_fd(const struct worker *w) { return w->pipe_rd; }

struct worker_job *worker_job_new(enum worker_kind kind, int tag, const char *method,
				  const char *path)
{
	struct worker_job *job = calloc(1, sizeof *job);
	if (!job)
		return NULL;
	job->kind = kind;
	job->tag = tag;
	job->auth = 1;
	snprintf(job->method, sizeof job->method, "%s", method ? method : "GET");
	if (path && !(job->path = strdup(path))) {
		free(job);
		return NULL;
	}
	return job;
}

void worker_submit(struct worker *w, struct worker_job *job)
{
	if (!job)
		return;
	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->tail)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

struct worker_job *worker_take(struct worker *w)
{
	struct worker_job *job = NULL;
	ssize_t n;
	do
		n = read(w->pipe_rd, &job, sizeof job);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof job ? job : NULL;
}

void worker_job_free(struct worker_job *job)
{
	if (!job)
		return;
	free(job->path);
	cJSON_Delete(job->body);
	cJSON_Delete(job->json);
	free(job->email);
	if (job->token) {
		explicit_bzero(job->token, strlen(job->token));
		free(job->token);
	}
	free(job);
}
