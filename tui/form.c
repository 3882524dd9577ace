/*
 * form.c - editing and drawing fields and forms (see form.h).
 *
 * Editing keys of a text field: Left/Right, Home/End (also Ctrl-A/Ctrl-E),
 * Backspace, Delete, Ctrl-U (erase to the start), Ctrl-K (erase to the end) and
 * Ctrl-W (erase the word before the cursor).
 */
#include "form.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "ui.h"

#define CTRL(c) ((c) & 0x1f)

void form_field_clear(struct form_field *f)
{
	f->len = f->cur = 0;
	f->text[0] = 0;
}

void form_field_set(struct form_field *f, const char *utf8)
{
	int max = f->maxlen > 0 && f->maxlen < FORM_TEXT_MAX ? f->maxlen : FORM_TEXT_MAX;
	f->len = ui_widen(utf8 ? utf8 : "", f->text, max);
	f->text[f->len] = 0;
	f->cur = f->len;
}

char *form_field_utf8(const struct form_field *f, char *buf, size_t len)
{
	size_t o = 0;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	if (len == 0)
		return buf;
	for (int i = 0; i < f->len; i++) {
		char mb[MB_LEN_MAX];
		size_t k = wcrtomb(mb, f->text[i], &st);
		if (k == (size_t)-1) {
			mb[0] = '?';
			k = 1;
			memset(&st, 0, sizeof st);
		}
		if (o + k >= len)
			break;
		memcpy(buf + o, mb, k);
		o += k;
	}
	buf[o] = 0;
	return buf;
}

static void insert_char(struct form_field *f, wchar_t c)
{
	int max = f->maxlen > 0 && f->maxlen < FORM_TEXT_MAX ? f->maxlen : FORM_TEXT_MAX;
	if (f->len >= max)
		return;
	memmove(f->text + f->cur + 1, f->text + f->cur, (size_t)(f->len - f->cur) * sizeof(wchar_t));
	f->text[f->cur++] = c;
	f->text[++f->len] = 0;
}

static void erase_range(struct form_field *f, int from, int to)
{
	if (from < 0)
		from = 0;
	if (to > f->len)
		to = f->len;
	if (from >= to)
		return;
	memmove(f->text + from, f->text + to, (size_t)(f->len - to) * sizeof(wchar_t));
	f->len -= to - from;
	f->text[f->len] = 0;
	f->cur = from;
}

enum form_result form_field_key(struct form_field *f, int is_key, wint_t key)
{
	if (!is_key) {
		switch (key) {
		case '\r':
		case '\n':
			return FORM_SUBMIT;
		case 27:
			return FORM_CANCEL;
		case 127:
		case CTRL('H'):
			erase_range(f, f->cur - 1, f->cur);
			return FORM_HANDLED;
		case CTRL('A'):
			f->cur = 0;
			return FORM_HANDLED;
		case CTRL('E'):
			f->cur = f->len;
			return FORM_HANDLED;
		case CTRL('U'):
			erase_range(f, 0, f->cur);
			return FORM_HANDLED;
		case CTRL('K'):
			erase_range(f, f->cur, f->len);
			return FORM_HANDLED;
		case CTRL('W'): {
			int i = f->cur;
			while (i > 0 && f->text[i - 1] == L' ')
				i--;
			while (i > 0 && f->text[i - 1] != L' ')
				i--;
			erase_range(f, i, f->cur);
			return FORM_HANDLED;
		}
		default:
			if (key < 32 || key == 127)
				return FORM_IGNORED;
			insert_char(f, (wchar_t)key);
			return FORM_HANDLED;
		}
	}
	switch (key) {
	case KEY_ENTER:
		return FORM_SUBMIT;
	case KEY_BACKSPACE:
		erase_range(f, f->cur - 1, f->cur);
		return FORM_HANDLED;
	case KEY_DC:
		erase_range(f, f->cur, f->cur + 1);
		return FORM_HANDLED;
	case KEY_LEFT:
		if (f->cur > 0)
			f->cur--;
		return FORM_HANDLED;
	case KEY_RIGHT:
		if (f->cur < f->len)
			f->cur++;
		return FORM_HANDLED;
	case KEY_HOME:
		f->cur = 0;
		return FORM_HANDLED;
	case KEY_END:
		f->cur = f->len;
		return FORM_HANDLED;
	default:
		return FORM_IGNORED;
	}
}

void form_field_draw(const struct form_field *f, int y, int x, int w, int focused,
		     int *cursor_x)
{
	if (cursor_x)
		*cursor_x = -1;
	if (w <= 0)
		return;
	if (f->kind == FORM_CHOICE) {
		const char *v = f->nchoices > 0 ? f->choices[f->choice] : "(none)";
		char buf[512];
		snprintf(buf, sizeof buf, "%s %s %s", f->nchoices > 1 ? "<" : " ", v,
			 f->nchoices > 1 ? ">" : " ");
		ui_text_pad(y, x, w, buf, focused ? UI_SELECTED : UI_NORMAL);
		return;
	}
	if (f->kind == FORM_BUTTON) {
		char buf[256];
		snprintf(buf, sizeof buf, "[ %s ]", f->label);
		ui_text(y, x, w, buf, focused ? UI_SELECTED : UI_KEY);
		return;
	}
	wchar_t shown[FORM_TEXT_MAX + 1];
	for (int i = 0; i < f->len; i++)
		shown[i] = f->kind == FORM_SECRET ? L'*' : f->text[i];
	/* scroll so that the cursor stays inside the w-1 columns before the edge */
	int first = 0;
	while (first < f->cur && ui_wwidth(shown + first, f->cur - first) > w - 1)
		first++;
	ui_fill(y, x, w, UI_FIELD);
	ui_wtext(y, x, w, shown + first, f->len - first, UI_FIELD);
	if (focused && cursor_x)
		*cursor_x = x + ui_wwidth(shown + first, f->cur - first);
}

static int next_visible(const struct form *fm, int from, int step)
{
	for (int i = from; i >= 0 && i < fm->count; i += step)
		if (!fm->fields[i].hidden)
			return i;
	return -1;
}

void form_focus(struct form *fm, int i)
{
	int v = next_visible(fm, i, 1);
	if (v < 0)
		v = next_visible(fm, i, -1);
	fm->focus = v < 0 ? 0 : v;
}

struct form_field *form_focused(struct form *fm)
{
	if (fm->focus < 0 || fm->focus >= fm->count)
		return NULL;
	return &fm->fields[fm->focus];
}

enum form_result form_key(struct form *fm, int is_key, wint_t key)
{
	struct form_field *f = form_focused(fm);
	if (!f)
		return FORM_IGNORED;
	if (f->hidden)
		form_focus(fm, fm->focus);
	f = form_focused(fm);
	int down = (!is_key && key == '\t') || (is_key && key == KEY_DOWN);
	int up = (is_key && (key == KEY_UP || key == KEY_BTAB));
	if (down || up) {
		int to = next_visible(fm, fm->focus + (down ? 1 : -1), down ? 1 : -1);
		if (to >= 0)
			fm->focus = to;
		return FORM_HANDLED;
	}
	int enter = (!is_key && (key == '\r' || key == '\n')) || (is_key && key == KEY_ENTER);
	if (enter) {
		if (f->kind == FORM_BUTTON)
			return FORM_SUBMIT;
		int to = next_visible(fm, fm->focus + 1, 1);
		if (to < 0)
			return FORM_SUBMIT;
		fm->focus = to;
		return FORM_HANDLED;
	}
	if (!is_key && key == 27)
		return FORM_CANCEL;
	if (f->kind == FORM_CHOICE) {
		int left = (is_key && key == KEY_LEFT) || (!is_key && key == 'h');
		int right = (is_key && key == KEY_RIGHT) || (!is_key && (key == 'l' || key == ' '));
		if ((left || right) && f->nchoices > 0) {
			f->choice = (f->choice + (right ? 1 : f->nchoices - 1)) % f->nchoices;
			return FORM_HANDLED;
		}
		return FORM_IGNORED;
	}
	if (f->kind == FORM_BUTTON)
		return FORM_IGNORED;
	return form_field_key(f, is_key, key);
}

int form_draw(const struct form *fm, int y, int x, int w, int label_w, int active, int *cy,
	      int *cx)
{
	int rows = 0;
	if (cy)
		*cy = -1;
	if (cx)
		*cx = -1;
	for (int i = 0; i < fm->count; i++) {
		const struct form_field *f = &fm->fields[i];
		if (f->hidden)
			continue;
		int focused = active && i == fm->focus;
		int row = y + rows;
		if (f->kind == FORM_BUTTON) {
			form_field_draw(f, row, x + label_w, w - label_w, focused, NULL);
		} else {
			ui_text(row, x, label_w - 1, f->label, focused ? UI_KEY : UI_NORMAL);
			int c = -1;
			form_field_draw(f, row, x + label_w, w - label_w, focused, &c);
			if (focused && c >= 0 && cy && cx) {
				*cy = row;
				*cx = c;
			}
		}
		rows++;
	}
	return rows;
}
