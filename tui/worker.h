/*
 * worker.h - the TUI's REST worker: one background thread that owns the libcurl
 * client (rest.h) and the login (session.h), so the UI thread never waits on the
 * network or on the credentials file.
 *
 * The UI fills a struct worker_job and hands it over with worker_submit(); the worker
 * runs the jobs in order, fills in the answer and writes the job's pointer into a
 * pipe.  The UI polls worker_fd() beside stdin and takes finished jobs back with
 * worker_take().  A job has one owner at a time: the UI until it is submitted, the
 * worker while it runs, the UI again once taken (free it with worker_job_free()).
 */
#ifndef VOXCART_TUI_WORKER_H
#define VOXCART_TUI_WORKER_H

#include <stdint.h>

#include <cJSON.h>

enum worker_kind {
	WORKER_REQUEST,  /* method + path (+ body): with the login when auth is set */
	WORKER_RESUME,   /* load the credentials; when logged in to this server, GET /me */
	WORKER_LOGIN,    /* body {"email","password"}: POST /auth/login, save the tokens */
	WORKER_REGISTER, /* body {"email","password","name"}: POST /auth/register, save */
	WORKER_LOGOUT,   /* POST /auth/logout and forget the credentials */
	WORKER_TOKEN,    /* a fresh access token for the buddy WebSocket (job->token) */
};

struct worker_job {
	/* filled by the UI */
	enum worker_kind kind;
	int tag;              /* what the UI does with the answer (the UI's own enum) */
	uint64_t seq;         /* the UI's request number, to drop stale answers */
	int64_t arg;          /* a number the UI wants back (a product id, a quantity) */
	int auth;             /* WORKER_REQUEST: send the saved login */
	char method[8];
	char *path;           /* owned; "/api/v1/..." with an escaped query */
	cJSON *body;          /* owned; NULL for none */
	char idempotency_key[40]; /* "" for none */
	char note[256];       /* the UI's own text, carried along untouched */
	/* filled by the worker */
	int status;           /* HTTP status; 0 no answer; -1 not logged in */
	cJSON *json;          /* the answer's body; owned; NULL when empty */
	char error[512];      /* why it failed, ready to show ("" on success) */
	char error_code[64];
	char error_field[64];
	char *email;          /* RESUME/LOGIN/REGISTER: who is logged in (owned) */
	char replaced[400];   /* LOGIN/REGISTER: the other saved login this one replaced, or "" */
	char *token;          /* TOKEN: the access token (owned; wiped by free) */
	double elapsed_ms;    /* time the request took */
	struct worker_job *next; /* queue link: the worker's */
};

struct worker;

/* Starts the thread for the server at base_url with the credentials file
 * cred_path.  NULL and err filled on failure. */
struct worker *worker_start(const char *base_url, const char *cred_path, char *err,
			    size_t errlen);
/* Stops the thread (after the job running now) and frees everything, including
 * jobs still queued or not yet taken.  When the running job does not end within a
 * second (a silent server), the thread is left to end with the process and nothing
 * is freed: only call this when exiting or when the worker is idle. */
void worker_stop(struct worker *w);

/* The read end of the result pipe (non-blocking) for poll(). */
int worker_fd(const struct worker *w);

/* A new zeroed job (NULL when out of memory); path is copied. */
struct worker_job *worker_job_new(enum worker_kind kind, int tag, const char *method,
				  const char *path);
/* Queues job (the worker owns it from now on).  Never blocks on the network. */
void worker_submit(struct worker *w, struct worker_job *job);
/* A finished job, or NULL when none is waiting.  The caller owns it. */
struct worker_job *worker_take(struct worker *w);
void worker_job_free(struct worker_job *job);

#endif
