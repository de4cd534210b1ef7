/*
 * test_password.c: the password rules (auth/password.h): 12 to 1024
 * characters, and NIST SP 800-63B's context rules: no repeated character,
 * no run of consecutive characters, not the service's name, the email's
 * name or a word of the user's name, ignoring case. Long passphrases and
 * non-ASCII text pass. The two hash costs and their parameters. The list
 * of common and breached passwords.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Write `text` to a new temporary file; its path goes to `path`. */
static void
write_list(char path[64], const char *text)
{
    int fd;
    FILE *f;

    (void)snprintf(path, 64, "/tmp/compel-test-blocklist-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* The list of common passwords (T-AUTH-4): the whole password, or it
 * without the digits and symbols around it, or it repeated, ignoring
 * case; comments and CRLF lines of the list file; a missing file refused
 * with what to do, the list kept; an empty path empties it. */
static void
test_blocklist(void **state)
{
    char path[64];
    struct buf why = BUF_INIT;

    (void)state;
    write_list(path, "#!comment: a test list\r\n"
                     "password\r\n"
                     "iloveyou\n"
                     "\n"
                     "qwerty\n"
                     "winniethepooh\n"
                     "123456\n"
                     "Football");
    assert_int_equal(password_blocklist_load(path, &why), CM_ERR_OK);
    assert_int_equal(password_blocklist_size(), 6);
    refused("winniethepooh", "common or breached");
    refused("WinnieThePooh", "common or breached");
    refused("Password2024!", "common or breached");
    refused("!!iloveyou!!", "common or breached");
    refused("1990 football 1990", "common or breached");
    refused("qwertyqwerty", "common or breached");
    refused("123456123456", "common or breached");
    refused("#1 Qwertyqwerty!", "common or breached");
    /* A listed word inside other words, or with letters added, is not the
     * listed password. */
    accepted("my password is long and odd");
    accepted("passwordsmith1");
    accepted("football season opener");
    /* A comment line is not an entry. */
    accepted("#!comment: a test list");

    /* A file that cannot be read: refused, saying what to do, and the
     * list loaded before stays. */
    assert_int_equal(password_blocklist_load("/nonexistent/list.txt", &why),
                     CM_ERR_IO);
    assert_non_null(strstr(buf_str(&why), "/nonexistent/list.txt"));
    assert_non_null(strstr(buf_str(&why), "john-data"));
    assert_int_equal(password_blocklist_size(), 6);
    refused("Password2024!", "common or breached");

    /* An empty path: no list, nothing refused for being common. */
    assert_int_equal(password_blocklist_load("", &why), CM_ERR_OK);
    assert_int_equal(password_blocklist_size(), 0);
    accepted("Password2024!");
    buf_release(&why);
    (void)unlink(path);
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
        cmocka_unit_test(test_blocklist),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
