/*
 * test_csv.c - the RFC 4180 reader: quoting, line ends, BOM, line numbers, and
 * malformed input (which must be reported and skipped, never crash or swallow the
 * good rows after it).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

/* Reads all of data into a printable transcript: one line per record,
 * "L<line>:" then "[field]" for each field, or "L<line>:ERR <reason>". */
static char *transcript(const char *data, size_t len)
{
	static char out[16384];
	size_t o = 0;
	struct csv_reader *r = csv_open_mem(data, len);
	ck_assert_ptr_nonnull(r);
	char **fields, err[128];
	size_t n;
	int line, rc, guard = 0;
	out[0] = '\0';
	while ((rc = csv_next(r, &fields, &n, &line, err, sizeof err)) != 0) {
		ck_assert_int_lt(++guard, 1000);
		o += (size_t)snprintf(out + o, sizeof out - o, "L%d:", line);
		if (rc < 0) {
			o += (size_t)snprintf(out + o, sizeof out - o, "ERR %s\n", err);
			continue;
		}
		for (size_t i = 0; i < n; i++)
			o += (size_t)snprintf(out + o, sizeof out - o, "[%s]", fields[i]);
		o += (size_t)snprintf(out + o, sizeof out - o, "\n");
	}
	ck_assert_int_eq(csv_next(r, &fields, &n, &line, err, sizeof err), 0); /* stays at end */
	csv_close(r);
	return out;
}

static const char *tx(const char *s) { return transcript(s, strlen(s)); }

START_TEST(plain_records)
{
	ck_assert_str_eq(tx("a,b,c\n1,2,3\n"), "L1:[a][b][c]\nL2:[1][2][3]\n");
	ck_assert_str_eq(tx("a,b,c\n1,2,3"), "L1:[a][b][c]\nL2:[1][2][3]\n");
	ck_assert_str_eq(tx("a,,c\n,\n"), "L1:[a][][c]\nL2:[][]\n");
	ck_assert_str_eq(tx(" a , b \n"), "L1:[ a ][ b ]\n");
	ck_assert_str_eq(tx(""), "");
	ck_assert_str_eq(tx("\n\n\n"), "");
}
END_TEST

START_TEST(quoted_fields)
{
	ck_assert_str_eq(tx("\"a,b\",c\n"), "L1:[a,b][c]\n");
	ck_assert_str_eq(tx("\"say \"\"hi\"\"\",x\n"), "L1:[say \"hi\"][x]\n");
	ck_assert_str_eq(tx("\"\",\"\"\"\"\n"), "L1:[][\"]\n");
	ck_assert_str_eq(tx("\"two\nlines\",z\nnext,row\n"), "L1:[two\nlines][z]\nL3:[next][row]\n");
	ck_assert_str_eq(tx("\"crlf\r\ninside\",z\r\nn,r\r\n"), "L1:[crlf\r\ninside][z]\nL3:[n][r]\n");
	ck_assert_str_eq(tx("a,\"b\"\n"), "L1:[a][b]\n");
	ck_assert_str_eq(tx("a,\"\"\n"), "L1:[a][]\n");
	/* a quote in the middle of an unquoted field is data */
	ck_assert_str_eq(tx("5\" nails,x\n"), "L1:[5\" nails][x]\n");
}
END_TEST

START_TEST(line_ends_and_bom)
{
	ck_assert_str_eq(tx("a,b\r\nc,d\r\n"), "L1:[a][b]\nL2:[c][d]\n");
	ck_assert_str_eq(tx("a,b\rc,d\r"), "L1:[a][b]\nL2:[c][d]\n");
	ck_assert_str_eq(tx("\xEF\xBB\xBFtitle,price\nx,1\n"), "L1:[title][price]\nL2:[x][1]\n");
	/* a BOM later on is data */
	ck_assert_str_eq(tx("a\n\xEF\xBB\xBF" "b\n"), "L1:[a]\nL2:[\xEF\xBB\xBF" "b]\n");
	/* blank lines are skipped but still counted */
	ck_assert_str_eq(tx("a\n\n\r\nb\n"), "L1:[a]\nL4:[b]\n");
	ck_assert_str_eq(tx("\xEF\xBB\xBF"), "");
}
END_TEST

START_TEST(unterminated_quote_resumes_next_line)
{
	ck_assert_str_eq(tx("ok,1\n\"broken,2\ngood,3\nalso,4\n"),
			 "L1:[ok][1]\nL2:ERR unterminated quoted field\nL3:[good][3]\nL4:[also][4]\n");
	ck_assert_str_eq(tx("\""), "L1:ERR unterminated quoted field\n");
	ck_assert_str_eq(tx("a,\"b"), "L1:ERR unterminated quoted field\n");
}
END_TEST

START_TEST(text_after_closing_quote)
{
	ck_assert_str_eq(tx("\"a\"b,c\nd,e\n"),
			 "L1:ERR unexpected text after a closing quote on line 1\nL2:[d][e]\n");
	/* the error names the line where it happened, the record keeps its start line */
	ck_assert_str_eq(tx("\"x\ny\"z\nok\n"),
			 "L1:ERR unexpected text after a closing quote on line 2\nL3:[ok]\n");
}
END_TEST

START_TEST(nul_bytes)
{
	static const char data[] = "a,b\nc\0d,e\nf,g\n";
	ck_assert_str_eq(transcript(data, sizeof data - 1), "L1:[a][b]\nL2:ERR NUL byte on line 2\nL3:[f][g]\n");
	static const char q[] = "\"x\0\",y\nz\n";
	ck_assert_str_eq(transcript(q, sizeof q - 1), "L1:ERR NUL byte on line 1\nL2:[z]\n");
}
END_TEST

START_TEST(length_not_terminator)
{
	/* the reader must stop at len, not at a NUL or beyond */
	const char *data = "a,b\nc,d\nSHOULD-NOT-BE-READ";
	ck_assert_str_eq(transcript(data, 8), "L1:[a][b]\nL2:[c][d]\n");
	ck_assert_str_eq(transcript(data, 0), "");
	struct csv_reader *r = csv_open_mem(NULL, 0);
	char **f, err[64];
	size_t n;
	int line;
	ck_assert_int_eq(csv_next(r, &f, &n, &line, err, sizeof err), 0);
	csv_close(r);
	csv_close(NULL);
}
END_TEST

START_TEST(many_fields_and_big_field)
{
	size_t nf = 5000;
	char *data = malloc(nf * 2 + 1);
	for (size_t i = 0; i < nf; i++) {
		data[2 * i] = 'x';
		data[2 * i + 1] = i + 1 < nf ? ',' : '\n';
	}
	data[nf * 2] = '\0';
	struct csv_reader *r = csv_open_mem(data, nf * 2);
	char **f, err[64];
	size_t n;
	int line;
	ck_assert_int_eq(csv_next(r, &f, &n, &line, err, sizeof err), 1);
	ck_assert_uint_eq(n, nf);
	ck_assert_str_eq(f[nf - 1], "x");
	csv_close(r);
	free(data);

	size_t big = 1 << 20;
	data = malloc(big + 4);
	data[0] = '"';
	memset(data + 1, 'y', big);
	data[big + 1] = '"';
	data[big + 2] = '\n';
	r = csv_open_mem(data, big + 3);
	ck_assert_int_eq(csv_next(r, &f, &n, &line, err, sizeof err), 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(strlen(f[0]), big);
	csv_close(r);
	free(data);
}
END_TEST

START_TEST(fields_stay_valid_until_next_call)
{
	const char *data = "first,row\nsecond,row\n";
	struct csv_reader *r = csv_open_mem(data, strlen(data));
	char **f, err[64];
	size_t n;
	int line;
	ck_assert_int_eq(csv_next(r, &f, &n, &line, err, sizeof err), 1);
	ck_assert_str_eq(f[0], "first");
	ck_assert_str_eq(f[1], "row");
	ck_assert_int_eq(csv_next(r, &f, &n, &line, err, sizeof err), 1);
	ck_assert_str_eq(f[0], "second");
	ck_assert_int_eq(line, 2);
	csv_close(r);
}
END_TEST

START_TEST(import_file_shape)
{
	/* the listing import's format: header, tags separated by ';', quoted prose */
	const char *data =
		"title,description,price,stock,category,tags\r\n"
		"Oat milk,\"Creamy, barista \"\"style\"\"\",2.49,40,dairy-free,vegan;oat\r\n"
		"Bad row,missing fields\r\n";
	ck_assert_str_eq(tx(data),
			 "L1:[title][description][price][stock][category][tags]\n"
			 "L2:[Oat milk][Creamy, barista \"style\"][2.49][40][dairy-free][vegan;oat]\n"
			 "L3:[Bad row][missing fields]\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, plain_records);
	tcase_add_test(tc, quoted_fields);
	tcase_add_test(tc, line_ends_and_bom);
	tcase_add_test(tc, unterminated_quote_resumes_next_line);
	tcase_add_test(tc, text_after_closing_quote);
	tcase_add_test(tc, nul_bytes);
	tcase_add_test(tc, length_not_terminator);
	tcase_add_test(tc, many_fields_and_big_field);
	tcase_add_test(tc, fields_stay_valid_until_next_call);
	tcase_add_test(tc, import_file_shape);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
