/*
 * form.h - text fields, choices and buttons for the TUI's forms (login, filters,
 * checkout) and its one-line inputs (search box, buddy input).
 *
 * Text is kept as wide characters so that editing moves by character and drawing can
 * measure columns with wcwidth(); form_field_utf8() gives it back as UTF-8.  A form
 * is an array of fields with one focused; hidden fields are skipped.  Nothing here
 * talks to the network or owns anything outside the structs.
 */
#ifndef VOXCART_TUI_FORM_H
#define VOXCART_TUI_FORM_H

#include <stddef.h>
#include <wchar.h>

#define FORM_TEXT_MAX 256
#define FORM_CHOICES_MAX 24

enum form_kind { FORM_TEXT, FORM_SECRET, FORM_CHOICE, FORM_BUTTON };

struct form_field {
	enum form_kind kind;
	const char *label;
	int hidden;
	/* FORM_TEXT / FORM_SECRET */
	wchar_t text[FORM_TEXT_MAX + 1];
	int len, cur;       /* characters, cursor position */
	int maxlen;         /* 0: FORM_TEXT_MAX */
	/* FORM_CHOICE: labels are owned by the form's user */
	const char *choices[FORM_CHOICES_MAX];
	int nchoices, choice;
};

struct form {
	struct form_field *fields;
	int count;
	int focus;
};

/* What form_key() did with a key. */
enum form_result {
	FORM_IGNORED,  /* not a key the form uses */
	FORM_HANDLED,  /* edited, moved or chose */
	FORM_SUBMIT,   /* Enter on the last field or on a button */
	FORM_CANCEL,   /* Esc */
};

/* ---- one field ---- */
void form_field_clear(struct form_field *f);
void form_field_set(struct form_field *f, const char *utf8);
/* The text as UTF-8 in buf; returns buf. */
char *form_field_utf8(const struct form_field *f, char *buf, size_t len);
/* Edits f with a key (from get_wch: is_key for KEY_* codes).  Returns FORM_HANDLED
 * for editing keys, FORM_SUBMIT for Enter, FORM_CANCEL for Esc, else FORM_IGNORED. */
enum form_result form_field_key(struct form_field *f, int is_key, wint_t key);
/* Draws f's value at (y,x) in w columns (scrolled so the cursor shows); when focused
 * returns the cursor column through *cursor_x (else -1). */
void form_field_draw(const struct form_field *f, int y, int x, int w, int focused,
		     int *cursor_x);

/* ---- a form ---- */
/* Tab/Down/Up move between visible fields, Left/Right cycle choices, Enter moves on
 * (FORM_SUBMIT on the last visible field or a button), Esc cancels; other keys go to
 * the focused text field. */
enum form_result form_key(struct form *fm, int is_key, wint_t key);
struct form_field *form_focused(struct form *fm);
/* Moves the focus to the first visible field at or after i. */
void form_focus(struct form *fm, int i);
/* Draws every visible field from row y: label in label_w columns, value after it;
 * returns the number of rows used.  Sets *cy and *cx to the cursor (or -1). */
int form_draw(const struct form *fm, int y, int x, int w, int label_w, int active, int *cy,
	      int *cx);

#endif
