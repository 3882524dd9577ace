/*
 * test_proxy.c - [server] trusted_proxies: parsing the list, and which address of
 * X-Forwarded-For is the client (only behind a trusted proxy, walked from the right).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

static struct proxy_list parse_ok(const char *spec)
{
	struct proxy_list l;
	char err[256] = "";
	ck_assert_msg(proxy_parse(spec, &l, err, sizeof err) == 0, "'%s': %s", spec, err);
	return l;
}

static void parse_bad(const char *spec, const char *want_in_err)
{
	struct proxy_list l;
	char err[256] = "";
	ck_assert_msg(proxy_parse(spec, &l, err, sizeof err) == -1, "'%s' accepted", spec);
	ck_assert_msg(strstr(err, want_in_err) != NULL, "'%s': error '%s' lacks '%s'", spec, err,
		      want_in_err);
}

static void client(const struct proxy_list *l, const char *peer, const char *xff,
		   const char *want)
{
	char out[64];
	proxy_client(l, peer, xff, out, sizeof out);
	ck_assert_msg(strcmp(out, want) == 0, "peer %s xff '%s' -> %s, want %s", peer,
		      xff ? xff : "(none)", out, want);
}

START_TEST(parsing)
{
	struct proxy_list l = parse_ok("127.0.0.1, 10.0.0.0/8 ::1,192.168.1.0/24  fd00::/8");
	ck_assert_int_eq(l.count, 5);
	ck_assert(proxy_trusted(&l, "127.0.0.1"));
	ck_assert(!proxy_trusted(&l, "127.0.0.2"));
	ck_assert(proxy_trusted(&l, "10.200.3.4"));
	ck_assert(!proxy_trusted(&l, "11.0.0.1"));
	ck_assert(proxy_trusted(&l, "192.168.1.77"));
	ck_assert(!proxy_trusted(&l, "192.168.2.1"));
	ck_assert(proxy_trusted(&l, "::1"));
	ck_assert(proxy_trusted(&l, "fd12:3456::1"));
	ck_assert(!proxy_trusted(&l, "fe80::1"));
	ck_assert(proxy_trusted(&l, "::ffff:10.1.2.3")); /* IPv4-mapped counts as IPv4 */
	ck_assert(!proxy_trusted(&l, "not-an-address"));
	ck_assert(!proxy_trusted(&l, ""));
	l = parse_ok("172.16.0.0/12");
	ck_assert(proxy_trusted(&l, "172.31.255.255"));
	ck_assert(!proxy_trusted(&l, "172.32.0.0"));
	l = parse_ok("0.0.0.0/0");
	ck_assert(proxy_trusted(&l, "8.8.8.8"));
	ck_assert(!proxy_trusted(&l, "::2"));
	l = parse_ok("");
	ck_assert_int_eq(l.count, 0);
	l = parse_ok(NULL);
	ck_assert_int_eq(l.count, 0);
	parse_bad("localhost", "'localhost' is not an IPv4 or IPv6 address");
	parse_bad("10.0.0.0/33", "prefix length from 0 to 32");
	parse_bad("10.0.0.0/", "prefix length");
	parse_bad("10.0.0.0/8x", "prefix length");
	parse_bad("::1/129", "from 0 to 128");
	parse_bad("1.2.3.4, 300.1.1.1", "'300.1.1.1'");
}
END_TEST

START_TEST(client_address)
{
	struct proxy_list l = parse_ok("127.0.0.1 10.0.0.0/8");
	/* From a trusted proxy: the rightmost address that is not one of ours. */
	client(&l, "127.0.0.1", "203.0.113.7", "203.0.113.7");
	client(&l, "127.0.0.1", " 203.0.113.7 ", "203.0.113.7");
	client(&l, "127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"); /* left is forged */
	client(&l, "127.0.0.1", "203.0.113.7, 10.1.1.1", "203.0.113.7");     /* inner proxy */
	client(&l, "127.0.0.1", "10.2.2.2,10.1.1.1", "10.2.2.2");            /* all ours */
	client(&l, "127.0.0.1", "2001:db8::5", "2001:db8::5");
	/* No header, or an empty one: the proxy itself. */
	client(&l, "127.0.0.1", NULL, "127.0.0.1");
	client(&l, "127.0.0.1", "", "127.0.0.1");
	/* Garbage stops the walk at the last hop vouched for. */
	client(&l, "127.0.0.1", "unknown", "127.0.0.1");
	client(&l, "127.0.0.1", "203.0.113.7, garbage, 10.1.1.1", "10.1.1.1");
	client(&l, "127.0.0.1", "203.0.113.7,,10.1.1.1", "10.1.1.1");
	client(&l, "127.0.0.1", "1.2.3.4:5678", "127.0.0.1"); /* a port is not an address */
	client(&l, "127.0.0.1", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	       "127.0.0.1");
	/* From anyone else the header is not believed. */
	client(&l, "198.51.100.9", "203.0.113.7", "198.51.100.9");
	client(&l, "198.51.100.9", "10.1.1.1", "198.51.100.9");
	/* No trusted proxies configured: never believed, even from localhost. */
	struct proxy_list none = parse_ok("");
	client(&none, "127.0.0.1", "203.0.113.7", "127.0.0.1");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("proxy");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, parsing);
	tcase_add_test(tc, client_address);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
