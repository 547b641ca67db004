/*
 * Strict JSON for JWS headers and claims (RFC 8259; RFC 7515 section 5.2
 * and RFC 7519 section 7.2 refuse duplicate names).  Parser differentials
 * are an attack: if pam_jwt reads {"sub":"alice","sub":"root"} as one
 * user and another component reads it as the other, or a lone surrogate
 * or an overlong UTF-8 form lets two strings that differ in bytes compare
 * equal somewhere else, the check and the use disagree.  Every input
 * below that is not exactly one RFC 8259 object must be refused.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonstrict.h"
#include "reason.h"
#include "testutil.h"

#define IN(s, why) TESTUTIL_INPUT(s, why)

static const struct testutil_input good[] = {
	IN("{}", "empty object"),
	IN(" \t\r\n{}\r\n\t ", "RFC 8259 whitespace around"),
	IN("{\"a\":1}", "one member"),
	IN("{ \"a\" : 1 , \"b\" : [ 1 , 2 ] }", "whitespace between"),
	IN("{\"a\":{\"b\":{\"c\":null}},\"b\":[{},[]]}", "nesting"),
	IN("{\"a\":\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\"}",
	    "every escape, a surrogate pair"),
	IN("{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}",
	    "2, 3 and 4 byte UTF-8"),
	IN("{\"a\":\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\"}", "U+FFFF, U+10FFFF"),
	IN("{\"a\":\"x\\u0000y\"}", "escaped NUL in a value"),
	IN("{\"a\":\"\x7f\"}", "DEL needs no escape"),
	IN("{\"a\":-0,\"b\":0.5,\"c\":-1.25e+3,\"d\":1E2,\"e\":1e-2}",
	    "number forms"),
	IN("{\"a\":true,\"b\":false,\"c\":null}", "literals"),
	IN("{\"\":1}", "empty name"),
	IN("{\"a\":1,\"A\":2}", "names differ in case"),
	IN("{\"a\":{\"x\":1},\"b\":{\"x\":1}}", "same name, other objects"),
	IN("{\"a\":[{\"x\":1},{\"x\":2}]}", "same name in array elements")
};

static const struct testutil_input bad[] = {
	IN("", "empty input"),
	IN("   ", "only whitespace"),
	IN("[]", "an array"),
	IN("\"str\"", "a string"),
	IN("1", "a number"),
	IN("null", "null"),
	IN("{}x", "trailing garbage"),
	IN("{}{}", "a second object"),
	IN("{} {}", "a second object after space"),
	IN("{},", "trailing comma after"),
	IN("{", "unterminated"),
	IN("{\"a\":1", "unterminated object"),
	IN("{\"a\":\"x}", "unterminated string"),
	IN("{\"a\":1,}", "trailing comma"),
	IN("{\"a\":[1,]}", "trailing comma in array"),
	IN("{,}", "lone comma"),
	IN("{\"a\":1,,\"b\":2}", "double comma"),
	IN("{\"a\" 1}", "missing colon"),
	IN("{\"a\":}", "missing value"),
	IN("{a:1}", "bare name"),
	IN("{'a':1}", "single quotes"),
	IN("{\"a\":'x'}", "single-quoted value"),
	IN("{\"a\":NaN}", "NaN"),
	IN("{\"a\":Infinity}", "Infinity"),
	IN("{\"a\":-Infinity}", "-Infinity"),
	IN("{\"a\":1e400}", "overflows to infinity"),
	IN("{\"a\":-1e400}", "overflows to -infinity"),
	IN("{\"a\":01}", "leading zero"),
	IN("{\"a\":1.}", "no digit after point"),
	IN("{\"a\":.5}", "no digit before point"),
	IN("{\"a\":-}", "lone minus"),
	IN("{\"a\":+1}", "plus sign"),
	IN("{\"a\":1e}", "empty exponent"),
	IN("{\"a\":0x10}", "hex"),
	IN("{\"a\":TRUE}", "upper-case literal"),
	IN("{\"a\":nul}", "cut literal"),
	IN("{\"a\":undefined}", "undefined"),
	IN("{\"a\":\"a\tb\"}", "raw tab in string"),
	IN("{\"a\":\"a\nb\"}", "raw newline in string"),
	IN("{\"a\":\"a\x01\"}", "raw control character"),
	IN("{\"a\":\"x\0y\"}", "raw NUL in string"),
	IN("{}\0", "raw NUL after the object"),
	IN("{\0}", "raw NUL inside the object"),
	IN("\xef\xbb\xbf{}", "byte order mark"),
	IN("{\"a\":\"\\ud800\"}", "lone high surrogate"),
	IN("{\"a\":\"\\udc00\"}", "lone low surrogate"),
	IN("{\"a\":\"\\ud800\\u0041\"}", "high surrogate then a letter"),
	IN("{\"a\":\"\\ud800x\"}", "high surrogate then raw text"),
	IN("{\"a\":\"\\udc00\\ud800\"}", "surrogates reversed"),
	IN("{\"a\":\"\\u12\"}", "short \\u escape"),
	IN("{\"a\":\"\\u12g4\"}", "bad hex digit"),
	IN("{\"a\":\"\\x41\"}", "\\x escape"),
	IN("{\"a\":\"\\'\"}", "\\' escape"),
	IN("{\"a\":\"\\\"}", "escape at the end"),
	IN("{\"a\":\"\xc0\x80\"}", "overlong NUL"),
	IN("{\"a\":\"\xc1\xbf\"}", "overlong 2 byte"),
	IN("{\"a\":\"\xe0\x80\xaf\"}", "overlong 3 byte"),
	IN("{\"a\":\"\xf0\x80\x80\xaf\"}", "overlong 4 byte"),
	IN("{\"a\":\"\xed\xa0\x80\"}", "UTF-8 encoded surrogate"),
	IN("{\"a\":\"\xf4\x90\x80\x80\"}", "above U+10FFFF"),
	IN("{\"a\":\"\xf5\x80\x80\x80\"}", "lead byte F5"),
	IN("{\"a\":\"\xff\"}", "byte FF"),
	IN("{\"a\":\"\x80\"}", "lone continuation byte"),
	IN("{\"a\":\"\xe2\x82\"}", "cut 3 byte sequence"),
	IN("{\"a\":\"\xe2\x82", "cut sequence at the end"),
	IN("{\"\xc3\"}", "bad UTF-8 in a name"),
	IN("{\"a\":1}\xc3\xa9", "UTF-8 after the object"),
	IN("/*c*/{}", "comment before"),
	IN("{\"a\":1/*c*/}", "comment inside"),
	IN("{}//c", "line comment after"),
	IN("\f{}", "form feed is no JSON whitespace"),
	IN("\v{}", "vertical tab is no JSON whitespace"),
	IN("{\"a\":1}\xc2\xa0", "no-break space after"),
	IN("{\"a\":1,\"a\":1}", "duplicate name, same value"),
	IN("{\"a\":1,\"a\":2}", "duplicate name"),
	IN("{\"a\":1,\"b\":2,\"a\":3}", "duplicate name, not adjacent"),
	IN("{\"a\":1,\"\\u0061\":2}", "duplicate through an escape"),
	IN("{\"a\":{\"b\":1,\"b\":2}}", "nested duplicate"),
	IN("{\"x\":[{\"b\":1,\"b\":2}]}", "duplicate in an array element"),
	IN("{\"a\":{\"p\":1,\"q\":2},\"a\":{\"r\":3,\"s\":4,\"t\":5}}",
	    "duplicate whose second value has more members"),
	IN("{\"a\\u0000b\":1}", "escaped NUL in a name"),
	IN("{\"alg\\u0000x\":\"none\",\"alg\":\"RS256\"}",
	    "name cut at NUL would collide"),
	IN("[[[[", "unbalanced")
};

static void
test_good(void **state)
{
	struct json_object *obj;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		obj = NULL;
		r = jsonstrict_parse_object(good[i].text, good[i].len, &obj);
		if (r != PJ_OK)
			fail_msg("refused %s: %s", good[i].why, good[i].text);
		assert_true(json_object_is_type(obj, json_type_object));
		json_object_put(obj);
	}
}

static void
test_bad(void **state)
{
	struct json_object *obj;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		obj = (struct json_object *)&obj;
		r = jsonstrict_parse_object(bad[i].text, bad[i].len, &obj);
		if (r != PJ_ERR_REFUSED)
			fail_msg("accepted %s (%d)", bad[i].why, r);
		assert_null(obj);
	}
	assert_int_equal(jsonstrict_parse_object(NULL, 0, &obj),
	    PJ_ERR_REFUSED);
}

/* The length given is the input: no NUL needed, nothing past it read. */
static void
test_length_bound(void **state)
{
	struct json_object *obj;
	const char *text = "{\"a\":1}garbage";

	(void)state;
	assert_int_equal(jsonstrict_parse_object(text, 7, &obj), PJ_OK);
	assert_int_equal(json_object_object_length(obj), 1);
	json_object_put(obj);
	assert_int_equal(jsonstrict_parse_object(text, 8, &obj),
	    PJ_ERR_REFUSED);
	assert_int_equal(jsonstrict_parse_object(text, 6, &obj),
	    PJ_ERR_REFUSED);
}

/* "{" + DEPTH - 1 nested arrays: DEPTH containers in all. */
static char *
nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 16);
	int i, o = 0;

	assert_non_null(s);
	o += sprintf(s, "{\"a\":");
	for (i = 1; i < depth; i++)
		s[o++] = '[';
	for (i = 1; i < depth; i++)
		s[o++] = ']';
	s[o++] = '}';
	s[o] = '\0';
	return s;
}

static void
test_depth(void **state)
{
	struct json_object *obj;
	char *s;

	(void)state;
	s = nested(JSONSTRICT_MAX_DEPTH);
	assert_int_equal(jsonstrict_parse_object(s, strlen(s), &obj), PJ_OK);
	json_object_put(obj);
	free(s);

	s = nested(JSONSTRICT_MAX_DEPTH + 1);
	assert_int_equal(jsonstrict_parse_object(s, strlen(s), &obj),
	    PJ_ERR_REFUSED);
	free(s);

	s = nested(10000);
	assert_int_equal(jsonstrict_parse_object(s, strlen(s), &obj),
	    PJ_ERR_REFUSED);
	free(s);
}

static void
test_values(void **state)
{
	static const char text[] =
	    "{\"s\":\"x\\u0000y\",\"e\":\"\\u00e9\",\"n\":null,\"p\":"
	    "\"\\ud83d\\ude00\"}";
	struct json_object *obj;
	const char *s;
	size_t len;

	(void)state;
	assert_int_equal(jsonstrict_parse_object(text, sizeof(text) - 1,
	    &obj), PJ_OK);
	assert_true(jsonstrict_get_string(jsonstrict_get(obj, "s"), &s, &len));
	assert_int_equal(len, 3);
	assert_memory_equal(s, "x\0y", 3);
	assert_true(jsonstrict_get_string(jsonstrict_get(obj, "e"), &s, &len));
	assert_int_equal(len, 2);
	assert_memory_equal(s, "\xc3\xa9", 2);
	assert_true(jsonstrict_get_string(jsonstrict_get(obj, "p"), &s, &len));
	assert_int_equal(len, 4);
	assert_memory_equal(s, "\xf0\x9f\x98\x80", 4);

	/* null: present, but no value json-c can hand out. */
	assert_null(jsonstrict_get(obj, "n"));
	assert_true(jsonstrict_has(obj, "n"));
	assert_false(jsonstrict_has(obj, "missing"));
	assert_null(jsonstrict_get(obj, "missing"));
	assert_false(jsonstrict_get_string(jsonstrict_get(obj, "n"), &s,
	    &len));
	assert_false(jsonstrict_has(NULL, "n"));
	assert_null(jsonstrict_get(NULL, "n"));
	json_object_put(obj);
}

struct time_case {
	const char *number;
	bool ok;
	int64_t value;
};

static const struct time_case time_cases[] = {
	{ "0", true, 0 },
	{ "1", true, 1 },
	{ "-1", true, -1 },
	{ "1700000000", true, 1700000000 },
	{ "1.5", true, 2 },
	{ "1.0", true, 1 },
	{ "0.1", true, 1 },
	{ "-1.5", true, -1 },
	{ "-0.5", true, 0 },
	{ "-0", true, 0 },
	{ "-0.0", true, 0 },
	{ "1e3", true, 1000 },
	{ "1E+2", true, 100 },
	{ "1700000000.000001", true, 1700000001 },
	{ "9223372036854775807", true, INT64_MAX },
	{ "-9223372036854775807", true, -INT64_MAX },
	{ "9.223372036854775e18", true, 9223372036854774784 },
	{ "9223372036854775808", false, 0 },
	{ "18446744073709551615", false, 0 },
	{ "18446744073709551616", false, 0 },
	{ "99999999999999999999999999", false, 0 },
	{ "-9223372036854775808", false, 0 },
	{ "-9223372036854775809", false, 0 },
	{ "9223372036854775808.0", false, 0 },
	{ "9.2233720368547758e18", false, 0 },
	{ "-9.2233720368547758e18", false, 0 },
	{ "1e19", false, 0 },
	{ "1e300", false, 0 },
	{ "-1e300", false, 0 },
	{ "\"1700000000\"", false, 0 },
	{ "true", false, 0 },
	{ "null", false, 0 },
	{ "[1]", false, 0 },
	{ "{\"a\":1}", false, 0 }
};

static void
test_time(void **state)
{
	struct json_object *obj;
	char text[128];
	int64_t v;
	size_t i;
	bool ok;

	(void)state;
	for (i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		const struct time_case *t = &time_cases[i];

		snprintf(text, sizeof(text), "{\"t\":%s}", t->number);
		assert_int_equal(jsonstrict_parse_object(text, strlen(text),
		    &obj), PJ_OK);
		v = 12345;
		ok = jsonstrict_get_time(jsonstrict_get(obj, "t"), &v);
		if (ok != t->ok)
			fail_msg("%s: %s", t->number, ok ? "taken" : "refused");
		assert_int_equal(v, t->ok ? t->value : 12345);
		json_object_put(obj);
	}
	assert_false(jsonstrict_get_time(NULL, &v));
}

struct pointer_case {
	const char *ptr;
	const char *expect;	/* the value as JSON text; NULL: none */
};

static const struct pointer_case pointer_cases[] = {
	{ "/realm_access/roles", "[\"admin\",\"linux\"]" },
	{ "/realm_access/roles/0", "\"admin\"" },
	{ "/realm_access/roles/1", "\"linux\"" },
	{ "/realm_access/roles/2", NULL },
	{ "/realm_access/roles/01", NULL },
	{ "/realm_access/roles/-", NULL },
	{ "/realm_access/roles/-1", NULL },
	{ "/realm_access/roles/+1", NULL },
	{ "/realm_access/roles/1x", NULL },
	{ "/realm_access/roles/99999999999999999999", NULL },
	{ "/realm_access/roles/", NULL },
	{ "/realm_access/missing", NULL },
	{ "/a~1b", "1" },
	{ "/m~0n", "2" },
	{ "/~01", "3" },
	{ "/~10", "4" },
	{ "/", "5" },
	{ "//x", NULL },
	{ "/m~2n", NULL },
	{ "/m~", NULL },
	{ "/a/b", NULL },
	{ "/num/x", NULL },
	{ "/str/0", NULL },
	{ "/nul", NULL },
	{ "/nul/x", NULL },
	{ "/0", "\"zero\"" },
	{ "/arr/1/k", "\"v\"" },
	{ "/arr/0", "10" },
	{ "realm_access", NULL },
	{ "#/realm_access", NULL }
};

static void
test_pointer(void **state)
{
	static const char text[] =
	    "{\"realm_access\":{\"roles\":[\"admin\",\"linux\"]},"
	    "\"a/b\":1,\"m~n\":2,\"~1\":3,\"/0\":4,\"\":5,\"num\":7,"
	    "\"str\":\"s\",\"nul\":null,\"0\":\"zero\","
	    "\"arr\":[10,{\"k\":\"v\"}]}";
	struct json_object *doc, *v;
	size_t i;

	(void)state;
	assert_int_equal(jsonstrict_parse_object(text, sizeof(text) - 1,
	    &doc), PJ_OK);
	assert_ptr_equal(jsonstrict_pointer(doc, ""), doc);
	for (i = 0; i < sizeof(pointer_cases) / sizeof(pointer_cases[0]);
	    i++) {
		const struct pointer_case *c = &pointer_cases[i];

		v = jsonstrict_pointer(doc, c->ptr);
		if (c->expect == NULL) {
			if (v != NULL)
				fail_msg("%s resolved", c->ptr);
			continue;
		}
		if (v == NULL)
			fail_msg("%s did not resolve", c->ptr);
		assert_string_equal(json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN), c->expect);
	}
	assert_null(jsonstrict_pointer(NULL, "/a"));
	assert_null(jsonstrict_pointer(doc, NULL));
	json_object_put(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_pointer)
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
