/*
 * fuzz_checkpoint.c: libFuzzer target for the checkpoint parser, which
 * reads files users hand to `compel audit verify --checkpoint`. Bytes go
 * to checkpoint_parse_verify with the public key of a fixed test master
 * key (32 bytes of 0x42), so the corpus's valid checkpoint, signed with
 * that key, reaches the signature check. Also built without libFuzzer by
 * fuzz/driver.c to replay fuzz/corpus/checkpoint/ in `make check`.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/checkpoint.h"
#include "auth/password.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char pk[CHECKPOINT_PUBLIC_BYTES];
    static int ready;
    struct checkpoint cp;

    if (!ready) {
        unsigned char master[CHECKPOINT_MASTER_BYTES];

        memset(master, 0x42, sizeof master);
        if (password_lib_init() != CM_ERR_OK ||
            checkpoint_public_key(master, pk) != CM_ERR_OK)
            abort();
        ready = 1;
    }
    if (checkpoint_parse_verify(pk, (const char *)data, size, &cp) ==
            CM_ERR_OK &&
        memchr(cp.origin, '\0', sizeof cp.origin) == NULL)
        abort(); /* a parsed origin is always NUL-terminated */
    return 0;
}
