/*
 * smtp.h: sending one plain-text email over SMTP with libcurl.
 *
 * The message is written here (RFC 5322 headers, UTF-8 text body, CRLF
 * lines); libcurl speaks the protocol (EHLO, MAIL FROM, RCPT TO, DATA,
 * dot-stuffing) to the server named by a URL such as
 * `smtp://127.0.0.1:2525` or `smtps://mail.example.gov`.
 */
#ifndef CM_JOBS_SMTP_H
#define CM_JOBS_SMTP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/errors.h"

/* Seconds an SMTP exchange may take in all. */
#define SMTP_TIMEOUT_S 20

/* One message; borrowed strings. Header values must hold no CR or LF. */
struct smtp_message {
    const char *from;       /* envelope and From: address */
    const char *to;         /* one recipient address */
    const char *subject;    /* ASCII */
    const char *body;       /* text, CRLF line ends */
    const char *message_id; /* unique id, without <> (e.g. "<job>@compel") */
    int64_t date_us;        /* Date: header, UTC microseconds */
};

/* True for an address we are willing to put in a header and envelope:
 * one @, no spaces, no CR/LF, no <>, at most 254 bytes. */
bool smtp_is_valid_address(const char *addr);

/* Append the whole message (headers, blank line, body) to `out`. */
void smtp_format(struct buf *out, const struct smtp_message *m);

/* Send `m` through the server at `url`. CM_ERR_OK when the server accepted
 * it; CM_ERR_VALIDATION_FAILED for a bad address or header; CM_ERR_IO when
 * the exchange failed, with a short reason (no secrets: the URL's user
 * and password are never written) appended to `why`. */
enum cm_err
smtp_send(const char *url, const struct smtp_message *m, struct buf *why);

#endif
