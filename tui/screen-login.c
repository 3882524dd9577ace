/*
 * screen-login.c - the login and register form, and what follows a login: the
 * saved login check at start-up (WORKER_RESUME), --login, and logging out.
 *
 * The password never leaves this form except in the worker job that sends it; the
 * field is wiped as soon as the job is queued.  The tokens the server answers with
 * stay inside the worker (it saves them to the credentials file, as `voxcart login`
 * does), so a later `voxcart` or `voxcart-tui` run is logged in too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

enum { F_EMAIL, F_PASSWORD, F_NAME, F_BUTTON, F_COUNT };

void login_init(struct app *a)
{
	struct login_state *l = &a->login;
	char email[256];
	form_field_utf8(&l->fields[F_EMAIL], email, sizeof email);
	memset(l->fields, 0, sizeof l->fields);
	l->fields[F_EMAIL] = (struct form_field){ .kind = FORM_TEXT, .label = "Email", .maxlen = 200 };
	l->fields[F_PASSWORD] = (struct form_field){ .kind = FORM_SECRET, .label = "Password",
						     .maxlen = 128 };
	l->fields[F_NAME] = (struct form_field){ .kind = FORM_TEXT, .label = "Name", .maxlen = 100,
						 .hidden = !l->registering };
	l->fields[F_BUTTON] = (struct form_field){ .kind = FORM_BUTTON,
						   .label = l->registering ? "Register" : "Log in" };
	if (email[0])
		form_field_set(&l->fields[F_EMAIL], email);
	else if (a->email[0])
		form_field_set(&l->fields[F_EMAIL], a->email);
	l->form = (struct form){ l->fields, F_COUNT, 0 };
	form_focus(&l->form, l->fields[F_EMAIL].len ? F_PASSWORD : F_EMAIL);
	l->busy = 0;
}

void login_draw(struct app *a, struct rect r)
{
	struct login_state *l = &a->login;
	int w = r.w - 4 < 64 ? r.w - 4 : 64;
	int h = 13;
	struct rect box = { r.y + (r.h - h) / 3, r.x + (r.w - w) / 2, h, w };
	struct rect in = ui_box(box, l->registering ? "Create an account" : "Log in to voxcart", 1);
	ui_textf(in.y, in.x + 1, in.w - 2, UI_DIM, "Server: %s", a->server);
	if (a->resuming) {
		ui_text(in.y + 2, in.x + 1, in.w - 2, "Checking the saved login...", UI_NORMAL);
		return;
	}
	int cy, cx;
	form_draw(&l->form, in.y + 2, in.x + 1, in.w - 2, 11, !l->busy, &cy, &cx);
	if (cy >= 0) {
		a->cursor_y = cy;
		a->cursor_x = cx;
	}
	int y = in.y + 7;
	if (l->busy)
		ui_text(y, in.x + 1, in.w - 2, l->registering ? "Registering..." : "Logging in...",
			UI_DIM);
	ui_text(in.y + in.h - 2, in.x + 1, in.w - 2,
		l->registering ? "F3: I have an account (log in)" : "F3: new here? create an account",
		UI_DIM);
	ui_text(in.y + in.h - 1, in.x + 1, in.w - 2, "Esc quits", UI_DIM);
}

static void submit(struct app *a)
{
	struct login_state *l = &a->login;
	char email[256], password[512], name[512];
	form_field_utf8(&l->fields[F_EMAIL], email, sizeof email);
	form_field_utf8(&l->fields[F_PASSWORD], password, sizeof password);
	form_field_utf8(&l->fields[F_NAME], name, sizeof name);
	if (!strchr(email, '@')) {
		app_status(a, 1, "Please type your email address.");
		form_focus(&l->form, F_EMAIL);
		return;
	}
	size_t plen = strlen(password);
	if (plen == 0 || (l->registering && (plen < 8 || plen > 128))) {
		app_status(a, 1, l->registering ? "The password must be 8 to 128 characters long."
						: "Please type your password.");
		form_focus(&l->form, F_PASSWORD);
		explicit_bzero(password, sizeof password);
		return;
	}
	struct worker_job *job = worker_job_new(l->registering ? WORKER_REGISTER : WORKER_LOGIN,
						l->registering ? TAG_REGISTER : TAG_LOGIN, "POST", NULL);
	if (job) {
		job->body = cJSON_CreateObject();
		cJSON_AddStringToObject(job->body, "email", email);
		cJSON_AddStringToObject(job->body, "password", password);
		if (l->registering) {
			char local[128];
			if (!name[0])
				snprintf(local, sizeof local, "%.*s", (int)(strchr(email, '@') - email),
					 email);
			cJSON_AddStringToObject(job->body, "name", name[0] ? name : local);
		}
	}
	explicit_bzero(password, sizeof password);
	wmemset(l->fields[F_PASSWORD].text, 0, FORM_TEXT_MAX);
	form_field_clear(&l->fields[F_PASSWORD]);
	snprintf(a->email, sizeof a->email, "%s", email);
	l->busy = 1;
	app_status(a, 0, "%s", "");
	app_submit(a, job);
}

int login_key(struct app *a, int is_key, wint_t key)
{
	struct login_state *l = &a->login;
	if (a->resuming || l->busy) {
		if (!is_key && key == 27)
			a->quit = 1;
		return 1;
	}
	if (is_key && key == KEY_F(3)) {
		l->registering = !l->registering;
		login_init(a);
		return 1;
	}
	switch (form_key(&l->form, is_key, key)) {
	case FORM_SUBMIT:
		submit(a);
		return 1;
	case FORM_CANCEL:
		a->quit = 1;
		return 1;
	case FORM_HANDLED:
		return 1;
	default:
		return 0;
	}
}

void login_result(struct app *a, struct worker_job *job)
{
	struct login_state *l = &a->login;
	switch (job->tag) {
	case TAG_RESUME:
		a->resuming = 0;
		if (job->status == 200) {
			app_logged_in(a, job->json, job->email);
			app_status(a, 0, "Logged in as %s", a->email);
		} else {
			login_init(a);
			if (job->status == 0)
				app_status(a, 1, "%s", job->error);
			else if (job->status != -1 && app_login_over(job))
				app_status(a, 1, "%s", app_login_over(job));
			else if (job->status != -1)
				app_status(a, 1, "Please log in again (%s).", job->error);
		}
		break;
	case TAG_LOGIN:
	case TAG_REGISTER:
		l->busy = 0;
		if (job->status == 200 || job->status == 201) {
			const cJSON *user = cJSON_GetObjectItemCaseSensitive(job->json, "user");
			app_logged_in(a, user, job->email);
			if (job->error[0])
				app_status(a, 1, "%s", job->error);
			else if (job->replaced[0])
				app_status(a, 0, "%s as %s; this replaced the saved login of %s "
					   "(the CLI and the TUI share one)",
					   job->tag == TAG_REGISTER ? "Registered and logged in"
								    : "Logged in", a->email, job->replaced);
			else
				app_status(a, 0, "%s as %s",
					   job->tag == TAG_REGISTER ? "Registered and logged in"
								    : "Logged in", a->email);
		} else {
			a->resuming = 0;
			if (a->screen != SCREEN_LOGIN)
				app_set_screen(a, SCREEN_LOGIN);
			login_init(a);
			app_status(a, 1, "%s", job->error[0] ? job->error : "login failed");
		}
		break;
	case TAG_LOGOUT:
		app_logged_out(a, NULL);
		app_status(a, job->status == 204 ? 0 : 1, "%s",
			   job->status == 204 ? "Logged out." : job->error);
		break;
	case TAG_TOKEN:
		buddy_pane_connect(a, job);
		break;
	}
}
