/* sandbox.h - the Lua 5.4 state rules run in: an allow list of globals,
 * read-only shared tables, an instruction budget that pcall cannot
 * swallow (library calls and allocations are charged by the work they
 * do), a wall-clock deadline behind it, an abort switch for shutdown, and
 * a memory cap enforced by the allocator.
 *
 * A sandbox is used by one thread at a time; sandbox_set_deadline and
 * sandbox_abort_all may be called from any thread. */
#ifndef ISMS_SANDBOX_H
#define ISMS_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include <lua.h>

struct sandbox;

struct sandbox_limits {
	uint64_t budget; /* VM instructions per call (plus charged C work) */
	size_t mem_cap;  /* bytes a call may add to the heap */
};
#define SANDBOX_DEFAULT_BUDGET      200000000ull
#define SANDBOX_DEFAULT_MEM_CAP     (64u << 20)
#define SANDBOX_DEFAULT_DEADLINE_MS 5000u

/* A new state with the standard libraries opened and patched (budgeted
 * patterns, no string.dump), the caller's to free with sandbox_free. */
struct sandbox *sandbox_new(void);
void sandbox_free(struct sandbox *sb);
lua_State *sandbox_lua(struct sandbox *sb);
/* The sandbox a state belongs to (any thread of it). */
struct sandbox *sandbox_of(lua_State *L);

/* Where the record bindings keep a pointer to their state (lua_record.c):
 * NULL until they set it; what it points at lives in the Lua state. */
void **sandbox_records_slot(lua_State *L);

/* Replace the table at idx with a read-only proxy of it (nested tables
 * are wrapped on access). Pushes the proxy. */
void sandbox_push_readonly(lua_State *L, int idx);
/* Nonzero when the value at idx is a read-only proxy of ours (a table
 * proxy or an ISMS record). */
int sandbox_is_proxy(lua_State *L, int idx);
/* Register metatable name as a proxy kind for `type` and `getmetatable`. */
void sandbox_add_proxy_kind(lua_State *L, const char *tname);

/* Set the global `name` that every rule environment sees to the value at
 * the top of the stack (popped). Tables should be read-only proxies. */
void sandbox_set_global(struct sandbox *sb, const char *name);
/* Push a new environment table for one chunk: its reads fall through to
 * the allowed globals, its writes stay in it. */
void sandbox_push_env(struct sandbox *sb);

/* Load text (never bytecode) as a chunk whose _ENV is the table at the top
 * of the stack (popped). Pushes the function, or returns -1 with err_msg()
 * as "chunkname:line: message". */
int sandbox_load(struct sandbox *sb, const char *chunkname, const char *src, size_t len);
/* The same from bin, the code of src as lua_dump wrote it (by this
 * program, never from a file: binary code is not checked by Lua), or
 * from src when bin is NULL. */
int sandbox_load_compiled(struct sandbox *sb, const char *chunkname, const char *src, size_t len,
                          const char *bin, size_t binlen);

/* Call the function below nargs arguments under lim. Returns 0 with
 * nresults pushed, or -1 with nothing pushed and err_msg() saying why
 * (the budget or memory cap, or the Lua error with a traceback line). */
int sandbox_call(struct sandbox *sb, int nargs, int nresults, const struct sandbox_limits *lim);
/* Charge n units of C work (one unit is about one VM instruction) to the
 * running call's budget, before doing the work; raises a Lua error that
 * pcall cannot swallow when the budget cannot pay it, the deadline has
 * passed or sandbox_abort_all was called. Free outside sandbox_call. */
void sandbox_charge(lua_State *L, uint64_t n);

/* Set the wall-clock deadline of every call, in milliseconds from its
 * start (SANDBOX_DEFAULT_DEADLINE_MS until set); 0 turns it off. Any
 * thread; takes effect at the next sandbox_call. */
void sandbox_set_deadline(uint32_t ms);
uint32_t sandbox_deadline(void);
/* Also stop sb's calls at the instant at (mono_ms() clock, sys.h), the
 * end of the evaluation they are part of, whose deadline was limit_ms;
 * at 0 turns it off. A call stopped there says so. The thread that uses
 * sb, between calls. */
void sandbox_set_cutoff(struct sandbox *sb, double at, uint32_t limit_ms);
/* Stop every running call of every sandbox at its next hook or charge,
 * and fail every later one at once, until sandbox_abort_clear. Any
 * thread, and async-signal-safe: the daemon calls it on SIGTERM so that
 * shutdown never waits for a rule. */
void sandbox_abort_all(void);
void sandbox_abort_clear(void);
/* Instructions used by the last sandbox_call. */
uint64_t sandbox_steps(const struct sandbox *sb);
/* Bytes in use by the state. */
size_t sandbox_mem(const struct sandbox *sb);

#endif
