/*
 * ui.h - drawing for voxcart-tui on top of ncursesw: the terminal's life cycle,
 * colours (or plain attributes under NO_COLOR and on monochrome terminals), and text
 * drawn by display width.
 *
 * All text reaching the screen goes through ui_text()/ui_wtext(): UTF-8 is decoded
 * with the locale (setlocale(LC_ALL, "") comes first), every character is measured
 * with wcwidth(), control characters and undecodable bytes become '?', and nothing
 * is drawn past the given width, so a wide title never breaks the columns after it.
 * Everything here runs on the UI thread only.
 */
#ifndef VOXCART_TUI_UI_H
#define VOXCART_TUI_UI_H

#include <stddef.h>
#include <wchar.h>

#include <curses.h>

enum ui_role {
	UI_NORMAL,
	UI_HEADER,     /* the top bar */
	UI_TAB,        /* the current screen's name in the top bar */
	UI_SELECTED,   /* the selected row of the focused list */
	UI_SELECTED_DIM, /* the selected row of a list without focus */
	UI_ERROR,      /* status line errors */
	UI_OK,         /* status line news, success */
	UI_DIM,        /* hints, secondary text */
	UI_BUDDY,      /* the buddy's name in the conversation */
	UI_USER,       /* the user's name in the conversation */
	UI_PRICE,
	UI_BORDER,
	UI_BORDER_FOCUS,
	UI_METER,
	UI_SPEAKING,
	UI_FIELD,      /* an input field's value */
	UI_KEY,        /* a key name in hints and help */
	UI_ROLES
};

struct rect {
	int y, x, h, w;
};

/* Starts curses (the caller has called setlocale).  colour: 0 never, 1 when the
 * terminal has colours.  0 ok, -1 when the terminal cannot be used. */
int ui_init(int colour);
/* Restores the terminal; safe to call twice and from a signal handler. */
void ui_end(void);
/* 1 while curses owns the terminal. */
int ui_active(void);
/* 1 when the locale's text is UTF-8. */
int ui_utf8(void);

/* The attributes of a role (colour pair or a monochrome stand-in). */
attr_t ui_attr(enum ui_role role);

/* UTF-8 to wide characters: at most max characters (no NUL added); bad bytes become
 * '?'.  Returns the count. */
int ui_widen(const char *utf8, wchar_t *out, int max);
/* Display width of a wide character as drawn here (controls count as 1, '?'). */
int ui_wcwidth(wchar_t c);
int ui_wwidth(const wchar_t *s, int n);
/* Display width of UTF-8 text. */
int ui_width(const char *utf8);

/* Draws text at (y,x) in at most w columns; a cut is marked with an ellipsis.
 * Returns the columns drawn. */
int ui_text(int y, int x, int w, const char *utf8, enum ui_role role);
int ui_wtext(int y, int x, int w, const wchar_t *s, int n, enum ui_role role);
/* The same, then spaces up to exactly w columns. */
void ui_text_pad(int y, int x, int w, const char *utf8, enum ui_role role);
/* Right-aligned in the w columns ending at x+w. */
void ui_text_right(int y, int x, int w, const char *utf8, enum ui_role role);
/* w spaces. */
void ui_fill(int y, int x, int w, enum ui_role role);
/* printf into a buffer, then ui_text. */
int ui_textf(int y, int x, int w, enum ui_role role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A frame around r with a title; returns the inside. */
struct rect ui_box(struct rect r, const char *title, int focused);

/* Breaks s[0..n) into lines of at most width columns, at spaces where possible.
 * Writes up to max (start, length) pairs; returns the number of lines (which may be
 * more than max: then only the first max were written). */
int ui_wrap(const wchar_t *s, int n, int width, int *starts, int *lens, int max);

/* Milliseconds on the monotonic clock. */
double ui_now_ms(void);

#endif
