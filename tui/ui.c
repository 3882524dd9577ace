/*
 * ui.c - the terminal, colours and width-aware text (see ui.h).
 *
 * Colours follow https://no-color.org: NO_COLOR set to anything non-empty turns them
 * off, and so does a terminal without colours; roles then fall back to bold, reverse
 * and underline so that selection and errors still stand out.
 */
#include "ui.h"

#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int active;
static int use_colour;
static int utf8_locale = -1;

static const struct {
	short fg, bg;
	attr_t extra; /* added in colour too */
	attr_t mono;  /* without colour */
} roles[UI_ROLES] = {
	[UI_NORMAL] = { -1, -1, 0, 0 },
	[UI_HEADER] = { COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE },
	[UI_TAB] = { COLOR_YELLOW, COLOR_BLUE, A_BOLD, A_BOLD },
	[UI_SELECTED] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[UI_SELECTED_DIM] = { -1, -1, A_REVERSE, A_UNDERLINE },
	[UI_ERROR] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[UI_OK] = { COLOR_GREEN, -1, 0, 0 },
	[UI_DIM] = { -1, -1, A_DIM, A_DIM },
	[UI_BUDDY] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[UI_USER] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[UI_PRICE] = { COLOR_GREEN, -1, 0, 0 },
	[UI_BORDER] = { -1, -1, 0, 0 },
	[UI_BORDER_FOCUS] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[UI_METER] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[UI_SPEAKING] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD | A_REVERSE },
	[UI_FIELD] = { -1, -1, A_UNDERLINE, A_UNDERLINE },
	[UI_KEY] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
};

int ui_utf8(void)
{
	if (utf8_locale < 0) {
		const char *cs = nl_langinfo(CODESET);
		utf8_locale = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	}
	return utf8_locale;
}

int ui_init(int colour)
{
	if (!initscr())
		return -1;
	active = 1;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(10); /* under one 16 ms frame: an Esc never stalls the UI longer */
	curs_set(0);
	use_colour = colour && has_colors() && start_color() == OK;
	if (use_colour) {
		use_default_colors();
		for (int i = 1; i < UI_ROLES; i++)
			init_pair((short)i, roles[i].fg, roles[i].bg);
	}
	return 0;
}

void ui_end(void)
{
	if (!active)
		return;
	active = 0;
	curs_set(1);
	endwin();
}

int ui_active(void) { return active; }

attr_t ui_attr(enum ui_role role)
{
	if (role <= UI_NORMAL || role >= UI_ROLES)
		return A_NORMAL;
	if (!use_colour)
		return roles[role].mono;
	if (roles[role].fg == -1 && roles[role].bg == -1)
		return roles[role].extra;
	return COLOR_PAIR(role) | roles[role].extra;
}

int ui_widen(const char *s, wchar_t *out, int max)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	int n = 0;
	size_t left = s ? strlen(s) : 0;
	while (left > 0 && n < max) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, left, &st);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&st, 0, sizeof st);
			wc = L'?';
			k = 1;
		} else if (k == 0) {
			break;
		}
		out[n++] = wc;
		s += k;
		left -= k;
	}
	return n;
}

int ui_wcwidth(wchar_t c)
{
	if (c < 32 || c == 127)
		return 1; /* drawn as '?' */
	int w = wcwidth(c);
	return w < 0 ? 1 : w;
}

int ui_wwidth(const wchar_t *s, int n)
{
	int w = 0;
	for (int i = 0; i < n; i++)
		w += ui_wcwidth(s[i]);
	return w;
}

int ui_width(const char *utf8)
{
	wchar_t buf[1024];
	int n = ui_widen(utf8, buf, 1024);
	return ui_wwidth(buf, n);
}

int ui_wtext(int y, int x, int w, const wchar_t *s, int n, enum ui_role role)
{
	if (w <= 0 || y < 0 || y >= LINES || x < 0 || x >= COLS)
		return 0;
	if (x + w > COLS)
		w = COLS - x;
	wchar_t out[1024];
	int used = 0, k = 0, total = ui_wwidth(s, n);
	int limit = total > w ? w - 1 : w; /* keep a column for the ellipsis */
	for (int i = 0; i < n && k < 1022; i++) {
		wchar_t c = s[i];
		int cw;
		if (c < 32 || c == 127 || wcwidth(c) < 0) {
			c = L'?';
			cw = 1;
		} else {
			cw = wcwidth(c);
		}
		if (used + cw > limit)
			break;
		if (cw == 0 && k == 0)
			continue; /* a combining mark with nothing to sit on */
		out[k++] = c;
		used += cw;
	}
	if (total > w && used < w) {
		out[k++] = ui_utf8() ? L'\x2026' : L'~';
		used++;
	}
	attr_t a = ui_attr(role);
	attron(a);
	mvaddnwstr(y, x, out, k);
	attroff(a);
	return used;
}

int ui_text(int y, int x, int w, const char *utf8, enum ui_role role)
{
	wchar_t buf[1024];
	int n = ui_widen(utf8, buf, 1024);
	return ui_wtext(y, x, w, buf, n, role);
}

void ui_fill(int y, int x, int w, enum ui_role role)
{
	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	attr_t a = ui_attr(role);
	attron(a);
	mvhline(y, x, ' ', w);
	attroff(a);
}

void ui_text_pad(int y, int x, int w, const char *utf8, enum ui_role role)
{
	ui_fill(y, x, w, role);
	ui_text(y, x, w, utf8, role);
}

void ui_text_right(int y, int x, int w, const char *utf8, enum ui_role role)
{
	int tw = ui_width(utf8);
	if (tw > w)
		tw = w;
	ui_text(y, x + w - tw, tw, utf8, role);
}

int ui_textf(int y, int x, int w, enum ui_role role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_text(y, x, w, buf, role);
}

struct rect ui_box(struct rect r, const char *title, int focused)
{
	struct rect in = { r.y + 1, r.x + 1, r.h - 2, r.w - 2 };
	if (r.h < 2 || r.w < 2)
		return (struct rect){ r.y, r.x, 0, 0 };
	attr_t a = ui_attr(focused ? UI_BORDER_FOCUS : UI_BORDER);
	attron(a);
	mvhline(r.y, r.x + 1, ACS_HLINE, r.w - 2);
	mvhline(r.y + r.h - 1, r.x + 1, ACS_HLINE, r.w - 2);
	mvvline(r.y + 1, r.x, ACS_VLINE, r.h - 2);
	mvvline(r.y + 1, r.x + r.w - 1, ACS_VLINE, r.h - 2);
	mvaddch(r.y, r.x, ACS_ULCORNER);
	mvaddch(r.y, r.x + r.w - 1, ACS_URCORNER);
	mvaddch(r.y + r.h - 1, r.x, ACS_LLCORNER);
	mvaddch(r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
	attroff(a);
	if (title && r.w > 6) {
		char t[256];
		snprintf(t, sizeof t, " %s ", title);
		ui_text(r.y, r.x + 2, r.w - 4, t, focused ? UI_BORDER_FOCUS : UI_BORDER);
	}
	return in;
}

int ui_wrap(const wchar_t *s, int n, int width, int *starts, int *lens, int max)
{
	int lines = 0, i = 0;
	if (width < 1)
		width = 1;
	while (i < n) {
		if (s[i] == L'\n') { /* an empty line */
			if (lines < max) {
				starts[lines] = i;
				lens[lines] = 0;
			}
			lines++;
			i++;
			continue;
		}
		int start = i, cols = 0, last_space = -1;
		while (i < n && s[i] != L'\n') {
			int cw = ui_wcwidth(s[i]);
			if (cols + cw > width)
				break;
			if (s[i] == L' ')
				last_space = i;
			cols += cw;
			i++;
		}
		int end = i;
		if (i < n && s[i] != L'\n' && last_space > start) {
			end = last_space; /* break at the last space */
			i = last_space + 1;
		} else if (i < n && s[i] == L'\n') {
			i++;
		} else if (i < n && s[i] == L' ') {
			i++;
		}
		if (end == start && i == start)
			i++; /* a character wider than the line: skip it */
		if (lines < max) {
			starts[lines] = start;
			lens[lines] = end - start;
		}
		lines++;
	}
	return lines;
}

double ui_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
