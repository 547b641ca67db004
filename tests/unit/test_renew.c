/*
 * When the helper renews a token (DESIGN.md "Helper", renew_margin): the
 * later of exp - renew_margin and half the lifetime, minus a jitter of
 * at most RENEW_JITTER_PCT % of the margin (and of the lifetime); and
 * the back-off after failed renewals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "renew.h"

#define T0 1800000000LL

/* The margin decides: a one-hour token, margin 60 s, no jitter drawn. */
static void
test_margin_later(void **state)
{
	(void)state;
	assert_int_equal(renew_at_ms(T0 * 1000, T0 + 3600, 60, 0),
	    (T0 + 3540) * 1000);
	/* Margin 0: at exp itself. */
	assert_int_equal(renew_at_ms(T0 * 1000, T0 + 3600, 0, 12345),
	    (T0 + 3600) * 1000);
}

/* Half the lifetime decides when exp - margin comes earlier. */
static void
test_half_later(void **state)
{
	(void)state;
	/* 100 s token, margin 60: exp - 60 = +40 < half = +50. */
	assert_int_equal(renew_at_ms(T0 * 1000, T0 + 100, 60, 0),
	    (T0 + 50) * 1000);
	/* 5 s token, margin 60: at +2.5 s. */
	assert_int_equal(renew_at_ms(T0 * 1000, T0 + 5, 60, 0),
	    T0 * 1000 + 2500);
	/* Already expired: now, never before it was received. */
	assert_int_equal(renew_at_ms(T0 * 1000, T0 - 10, 60, 7),
	    T0 * 1000);
}

/* The jitter: RND modulo (max + 1), max 10 % of margin and lifetime. */
static void
test_jitter_bounds(void **state)
{
	(void)state;
	/* Margin 60 s: at most 6000 ms earlier. */
	assert_int_equal(renew_at_ms(T0 * 1000, T0 + 3600, 60, 6000),
	    (T0 + 3540) * 1000 - 6000);
	assert_int_equal(renew_at_ms(T0 * 1000, T0 + 3600, 60, 6001),
	    (T0 + 3540) * 1000);
	assert_int_equal(renew_at_ms(T0 * 1000, T0 + 3600, 60, UINT32_MAX),
	    (T0 + 3540) * 1000 - (int64_t)(UINT32_MAX % 6001));
	/* 5 s token: at most 500 ms earlier, not the margin's 6 s. */
	assert_int_equal(renew_at_ms(T0 * 1000, T0 + 5, 60, 500),
	    T0 * 1000 + 2000);
	assert_int_equal(renew_at_ms(T0 * 1000, T0 + 5, 60, 501),
	    T0 * 1000 + 2500);
}

static void
test_backoff(void **state)
{
	(void)state;
	assert_int_equal(renew_backoff(1), 1);
	assert_int_equal(renew_backoff(2), 2);
	assert_int_equal(renew_backoff(3), 4);
	assert_int_equal(renew_backoff(9), 256);
	assert_int_equal(renew_backoff(10), 300);
	assert_int_equal(renew_backoff(1000), 300);
	assert_int_equal(renew_backoff(0), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_margin_later),
		cmocka_unit_test(test_half_later),
		cmocka_unit_test(test_jitter_bounds),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
