/*
 * store_int.h: what the backend-independent wrappers of the store share
 * (store.c and the store_<group>.c files): the fault-injection check.
 * Internal to src/store/; callers use store.h.
 */
#ifndef CM_STORE_STORE_INT_H
#define CM_STORE_STORE_INT_H

#include <stdbool.h>

#include "store/store.h"

/* Count one wrapper call of `s`; true, with *rc set to the error to
 * return, when an armed fault (store_fault_set) makes this call fail. */
bool store_is_faulted(struct store *s, enum store_rc *rc);

#endif
