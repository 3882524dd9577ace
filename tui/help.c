/*
 * help.c - the help overlay (? or F1): every key of voxcart-tui, from one table.
 * The same list is in man/voxcart-tui.1; keep the two together.
 */
#include <string.h>

#include "app.h"

static const char *const help_lines[][2] = {
	{ "", "Everywhere" },
	{ "Tab, Shift-Tab", "next / previous pane (main, cart, buddy)" },
	{ "/", "search: type words, Enter runs it, Esc cancels" },
	{ "s", "back to the search results" },
	{ "c", "checkout" },
	{ "o", "orders" },
	{ "b, i", "type to the buddy" },
	{ "F2, Ctrl-T", "talk to the buddy (again: stop); interrupts its speech" },
	{ "F3", "hands-free on/off: just speak, a pause sends (the meter shows HEARD)" },
	{ "?, F1", "this help" },
	{ "Ctrl-L", "redraw the screen" },
	{ "X", "log out" },
	{ "q", "quit (asks when a checkout is not finished)" },
	{ "Ctrl-C", "quit at once" },
	{ "", "Lists" },
	{ "Up/Down, k/j", "move" },
	{ "PgUp/PgDn", "move a page" },
	{ "Home/End, g/G", "first / last" },
	{ "Esc, h, Left", "back" },
	{ "", "Search results" },
	{ "Enter, l, Right", "open the product" },
	{ "a", "add one to the cart" },
	{ "f", "filters: category, price range, sort" },
	{ "n, p", "next / previous page of results" },
	{ "r", "run the search again" },
	{ "", "Product" },
	{ "+, -", "quantity to add" },
	{ "a, Enter", "add to the cart" },
	{ "j, k", "scroll the description" },
	{ "", "Cart pane" },
	{ "+, -", "change the quantity of the selected line" },
	{ "d, Delete", "remove the line" },
	{ "Enter", "open the product" },
	{ "c", "checkout" },
	{ "", "Checkout" },
	{ "Up/Down", "previous / next field" },
	{ "Left/Right, Space", "change a choice (card, address)" },
	{ "Enter", "next field; on Place order: place it (asks first)" },
	{ "Esc", "leave the checkout (kept as it is)" },
	{ "", "Orders" },
	{ "Enter", "details" },
	{ "x", "cancel the order (asks first; a paid one is refunded)" },
	{ "r", "reload" },
	{ "", "Buddy pane" },
	{ "i, Enter", "type a message; Enter sends, Esc stops typing" },
	{ "k/j, PgUp/PgDn", "scroll the conversation" },
	{ "Esc", "stop the speech that plays" },
	{ "", "Forms (login, filters)" },
	{ "Tab, Up/Down", "next / previous field" },
	{ "Ctrl-A/E, Ctrl-U/K/W", "start/end, erase before/after cursor, erase word" },
	{ "F3", "login screen: switch between log in and register" },
	{ "", "Mouse (off with --no-mouse)" },
	{ "click", "focus a pane, select a row; again on it: open" },
	{ "wheel", "move / scroll" },
};

#define HELP_COUNT ((int)(sizeof help_lines / sizeof help_lines[0]))

void help_draw(struct app *a)
{
	int w = COLS - 4 > 76 ? 76 : COLS - 4;
	int h = LINES - 2;
	struct rect r = { 1, (COLS - w) / 2, h, w };
	for (int y = r.y; y < r.y + r.h; y++)
		ui_fill(y, r.x, r.w, UI_NORMAL);
	struct rect in = ui_box(r, "Keys (Esc closes)", 1);
	int maxscroll = HELP_COUNT - in.h;
	if (maxscroll < 0)
		maxscroll = 0;
	if (a->help_scroll > maxscroll)
		a->help_scroll = maxscroll;
	int kw = 22;
	for (int i = 0; i < in.h && i + a->help_scroll < HELP_COUNT; i++) {
		const char *const *line = help_lines[i + a->help_scroll];
		if (!line[0][0]) {
			ui_text(in.y + i, in.x, in.w, line[1], UI_BUDDY);
			continue;
		}
		ui_text(in.y + i, in.x + 1, kw - 1, line[0], UI_KEY);
		ui_text(in.y + i, in.x + kw, in.w - kw, line[1], UI_NORMAL);
	}
	if (maxscroll > 0)
		ui_textf(r.y + r.h - 1, r.x + 2, r.w - 4, UI_BORDER_FOCUS, " %d/%d  j/k scroll ",
			 a->help_scroll + in.h < HELP_COUNT ? a->help_scroll + in.h : HELP_COUNT,
			 HELP_COUNT);
}

int help_key(struct app *a, int is_key, wint_t key)
{
	if ((!is_key && (key == 27 || key == 'q' || key == '?')) || (is_key && key == KEY_F(1))) {
		a->help = 0;
		return 1;
	}
	if ((is_key && key == KEY_DOWN) || (!is_key && key == 'j'))
		a->help_scroll++;
	else if ((is_key && key == KEY_UP) || (!is_key && key == 'k'))
		a->help_scroll--;
	else if (is_key && key == KEY_NPAGE)
		a->help_scroll += LINES / 2;
	else if (is_key && key == KEY_PPAGE)
		a->help_scroll -= LINES / 2;
	if (a->help_scroll < 0)
		a->help_scroll = 0;
	return 1;
}
