/*
 * test_password.c: the password rules (auth/password.h): 12 to 1024
 * characters, and NIST SP 800-63B's context rules: no repeated character,
 * no run of consecutive characters, not the service's name, the email's
 * name or a word of the user's name, ignoring case. Long passphrases and
 * non-ASCII text pass. The two hash costs and their parameters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/password.h"

#define EMAIL "olive.officer@agency.example"
#define NAME  "Olive O'Brien-Officer"

static void
refused(const char *pw, const char *because)
{
    const char *why = NULL;

    if (password_check_for(pw, EMAIL, NAME, &why) != CM_ERR_VALIDATION_FAILED)
        fail_msg("'%s' was accepted", pw);
    assert_non_null(why);
    if (!strstr(why, because))
        fail_msg("'%s': %s (expected: %s)", pw, why, because);
}

static void
accepted(const char *pw)
{
    const char *why = NULL;

    if (password_check_for(pw, EMAIL, NAME, &why) != CM_ERR_OK)
        fail_msg("'%s' was refused: %s", pw, why ? why : "?");
}

static void
test_length(void **state)
{
    char longest[PASSWORD_MAX_LEN + 2];

    (void)state;
    refused("elevenchars", "at least 12");
    accepted("twelve chars");
    memset(longest, 'x', sizeof longest);
    for (size_t i = 0; i < sizeof longest - 1; i++)
        longest[i] = (char)('a' + (i * 7) % 26);
    longest[PASSWORD_MAX_LEN] = '\0';
    accepted(longest);
    longest[PASSWORD_MAX_LEN] = 'q';
    longest[PASSWORD_MAX_LEN + 1] = '\0';
    refused(longest, "at most 1024");
}

static void
test_repeats_and_runs(void **state)
{
    (void)state;
    refused("aaaaaaaaaaaa", "repeated");
    refused("............", "repeated");
    refused("123456789012", "consecutive");
    refused("abcdefghijklmnop", "consecutive");
    refused("zyxwvutsrqpo", "consecutive");
    refused("210987654321", "consecutive");
    /* A run inside a longer password is fine. */
    accepted("my 123456789 horse");
    accepted("abcdefghijkZ");
}

static void
test_context_words(void **state)
{
    (void)state;
    refused("my Compel passphrase", "service's name");
    refused("xx OLIVE.OFFICER yy", "email address's name");
    refused("brien forever and ever", "user's name");
    refused("officer of the watch", "user's name");
    /* Words under 4 letters of the name do not count. */
    accepted("correct horse battery staple");
    accepted("ol' reliable steed, O'B");
    /* Without a context, only the general rules. */
    {
        const char *why = NULL;

        assert_int_equal(
            password_check_for("olive officer says hi", NULL, NULL, &why),
            CM_ERR_OK);
    }
}

static void
test_unicode_passes(void **state)
{
    (void)state;
    accepted("ça ne se devine pas 🐎🔋");
    accepted("пароль для работы");
}

/* The cost of a hash shows in its parameters; both costs verify, and a
 * hash keeps verifying after the cost changes (it carries its own). */
static void
test_costs(void **state)
{
    char std[PASSWORD_HASH_MAX], min[PASSWORD_HASH_MAX];
    enum password_cost c = PASSWORD_COST_MINIMUM;

    (void)state;
    assert_int_equal(password_lib_init(), CM_ERR_OK);
    assert_true(password_cost_parse("standard", &c));
    assert_int_equal(c, PASSWORD_COST_STANDARD);
    assert_true(password_cost_parse("minimum", &c));
    assert_int_equal(c, PASSWORD_COST_MINIMUM);
    assert_false(password_cost_parse("low", &c));
    assert_false(password_cost_parse("", &c));
    assert_false(password_cost_parse("Standard", &c));

    password_set_cost(PASSWORD_COST_STANDARD);
    assert_int_equal(password_hash("a long test passphrase", std), CM_ERR_OK);
    assert_non_null(strstr(std, "$argon2id$v=19$m=65536,t=3,p=1$"));
    password_set_cost(PASSWORD_COST_MINIMUM);
    assert_int_equal(password_hash("a long test passphrase", min), CM_ERR_OK);
    assert_non_null(strstr(min, "$argon2id$v=19$m=19456,t=2,p=1$"));
    assert_true(password_verify("a long test passphrase", std));
    assert_true(password_verify("a long test passphrase", min));
    assert_false(password_verify("a long test passphrasE", std));
    assert_false(password_verify("a long test passphrasE", min));
    password_set_cost(PASSWORD_COST_STANDARD);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_repeats_and_runs),
        cmocka_unit_test(test_context_words),
        cmocka_unit_test(test_unicode_passes),
        cmocka_unit_test(test_costs),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
