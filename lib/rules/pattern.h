/* pattern.h - Lua 5.4 string patterns with a step budget, so that a rule's
 * pathological pattern ends as an error instead of hanging the engine. */
#ifndef ISMS_PATTERN_H
#define ISMS_PATTERN_H

#include <stdint.h>

struct lua_State;

/* Called by the matcher every PATTERN_STEP_CHUNK steps; returns nonzero to
 * stop the match, which then raises a Lua error "pattern too expensive". */
#define PATTERN_STEP_CHUNK 1024
typedef int (*pattern_charge_fn)(struct lua_State *L, void *ud, uint64_t steps);

/* Install budgeted find, match, gmatch and gsub into the table at the top
 * of the stack (a copy of the string library), replacing the stock ones.
 * charge is called with the steps used since the last call; it may be
 * NULL, and then steps go uncounted but the recursion bound still holds. */
void pattern_install(struct lua_State *L, pattern_charge_fn charge, void *ud);

#endif
