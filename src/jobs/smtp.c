/*
 * smtp.c: one email over SMTP (smtp.h): the message text, then libcurl's
 * SMTP upload reading it from memory.
 */
#include "jobs/smtp.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>

#include "domain/date.h"

bool
smtp_is_valid_address(const char *addr)
{
    const char *at;
    size_t n;

    if (addr == NULL)
        return false;
    n = strlen(addr);
    at = strchr(addr, '@');
    if (n < 3 || n > 254 || at == NULL || at == addr || at[1] == '\0' ||
        strchr(at + 1, '@') != NULL)
        return false;
    for (const char *p = addr; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == ',' ||
            c == ';' || c == '"' || c == '(' || c == ')' || c == '\\')
            return false;
    }
    return true;
}

static bool
is_header_safe(const char *s)
{
    return s != NULL && strpbrk(s, "\r\n") == NULL;
}

/* RFC 5322 date in UTC: "Fri, 04 Dec 2026 15:00:00 +0000". */
static void
add_date(struct buf *out, int64_t us)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
    int64_t s = us / 1000000;
    int32_t day = date_time_day(s);
    int32_t sec = date_time_second_of_day(s);
    int32_t y;
    int m, d;

    date_to_ymd(day, &y, &m, &d);
    buf_addf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000",
             days[date_weekday(day)], d, months[m - 1], (int)y,
             (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

void
smtp_format(struct buf *out, const struct smtp_message *m)
{
    buf_adds(out, "Date: ");
    add_date(out, m->date_us);
    buf_addf(out, "\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n", m->from,
             m->to, m->subject);
    buf_addf(out, "Message-ID: <%s>\r\n", m->message_id);
    buf_adds(out, "MIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: 8bit\r\n"
                  "Auto-Submitted: auto-generated\r\n\r\n");
    buf_adds(out, m->body);
}

struct upload {
    const char *data;
    size_t len;
    size_t pos;
};

static size_t
read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
    struct upload *u = userp;
    size_t room = size * nmemb;
    size_t n = u->len - u->pos;

    if (n > room)
        n = room;
    memcpy(ptr, u->data + u->pos, n);
    u->pos += n;
    return n;
}

enum cm_err
smtp_send(const char *url, const struct smtp_message *m, struct buf *why)
{
    struct buf text = BUF_INIT;
    struct buf rcpt_addr = BUF_INIT;
    struct curl_slist *rcpt = NULL;
    struct upload up;
    enum cm_err err = CM_ERR_IO;
    CURLcode cc;
    CURL *curl;

    if (!smtp_is_valid_address(m->from) || !smtp_is_valid_address(m->to) ||
        !is_header_safe(m->subject) || !is_header_safe(m->message_id)) {
        buf_adds(why, "invalid address or header");
        return CM_ERR_VALIDATION_FAILED;
    }
    curl = curl_easy_init();
    if (curl == NULL) {
        buf_adds(why, "libcurl cannot start");
        return CM_ERR_IO;
    }
    smtp_format(&text, m);
    up.data = buf_str(&text);
    up.len = text.len;
    up.pos = 0;
    buf_addf(&rcpt_addr, "<%s>", m->to);
    rcpt = curl_slist_append(NULL, buf_str(&rcpt_addr));
    if (rcpt == NULL) {
        buf_adds(why, "out of memory");
        goto out_release;
    }
    (void)curl_easy_setopt(curl, CURLOPT_URL, url);
    (void)curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    (void)curl_easy_setopt(curl, CURLOPT_MAIL_FROM, m->from);
    (void)curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    (void)curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    (void)curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    (void)curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    (void)curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                           (curl_off_t)text.len);
    (void)curl_easy_setopt(curl, CURLOPT_TIMEOUT, (long)SMTP_TIMEOUT_S);
    (void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    cc = curl_easy_perform(curl);
    if (cc == CURLE_OK)
        err = CM_ERR_OK;
    else
        buf_addf(why, "smtp: %s", curl_easy_strerror(cc));
out_release:
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    buf_release(&rcpt_addr);
    buf_release(&text);
    return err;
}
