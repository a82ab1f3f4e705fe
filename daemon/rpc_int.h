/* rpc_int.h - what the pieces of the JSON-RPC layer share: the call being
 * handled, the helpers that set its reply, and the method handlers that
 * rpc.c's table lists. Private to daemon/rpc*.c. Loop thread only. */
#ifndef ISMS_RPC_INT_H
#define ISMS_RPC_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct asof_entry;
struct client;
struct repo;
struct rpc_env;

/* An as-of evaluation a call reads or waits for (rpc_asof.c), with a
 * reference. */
struct rpc_held {
	struct asof_entry *x;
	int waited; /* the call waited for it: evaluated for it, not kept before */
};

/* The requests of one batch and their responses so far, sent as one
 * array when the last is in (the replies of sync and evaluate come
 * later). */
struct batch {
	struct rpc_env *e;
	uint64_t client;
	struct buf out; /* "[resp,resp" */
	size_t n;       /* responses in out */
	int waiting;    /* responses still to come */
	int held;       /* the client is held for them */
};

/* One call being handled. */
struct call {
	struct rpc_env *e;
	struct client *c;
	struct batch *batch;      /* the batch the request came in, or NULL */
	json_t *id;               /* borrowed; NULL for a notification */
	json_t *params;           /* borrowed; an object */
	struct repo *r;           /* the repository named, or the only one */
	json_t *result;           /* set by the handler, stolen by the dispatcher */
	const char *text;         /* or the result already encoded (borrowed) */
	size_t textlen;           /* and its length */
	json_t *error;            /* or this */
	int pending;              /* the reply comes later (a job's reply) */
	int sent;                 /* the handler sent the reply itself (subscribe) */
	int (*fn)(struct call *); /* the method's handler */
	/* As-of evaluations the call reads or waits for (rpc_asof_get). */
	struct rpc_held *held;
	size_t nheld;
};

/* Set k's reply to a JSON-RPC error with code and the message; returns
 * -1. */
int rpc_fail(struct call *k, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The string parameter key, or NULL. Borrowed. */
const char *rpc_pstr(struct call *k, const char *key);
/* Add one response (msg, borrowed) to batch b. */
void rpc_batch_add(struct batch *b, json_t *msg);
/* One response b waited for is in: when it was the last, send the batch's
 * array (nothing when all were notifications) and free b. */
void rpc_batch_settle(struct batch *b);
/* Send k's reply now (or drop it: a notification, or one sent later). */
void rpc_reply(struct call *k);
/* The repository named name; NULL name: the only one. NULL when none. */
struct repo *rpc_repo_named(const struct rpc_env *e, const char *name);
/* Drop the status kept (rpc_status.c): the state it shows has changed. */
void rpc_status_forget(void);
/* An instant as an ISO 8601 UTC string, or null for 0. The caller's. */
json_t *rpc_jtime(int64_t t);
/* A copy of verdict v without what the rule read. The caller's. */
json_t *rpc_strip(json_t *v);

/* The evaluation of k's repository as of spec (asof.h): 1 with *out
 * (finished, failed or not; valid during the call) and *source
 * ("evaluated" when the call waited for it, else "cache"), or 0 when it
 * runs: the handler then answers nothing, and the call is run again
 * once every evaluation it waits for has finished. */
int rpc_asof_get(struct call *k, const char *spec, struct asof_entry **out, const char **source);
/* After a handler: a call that waits for evaluations is held until they
 * finish (k->pending; over HTTP, which cannot wait, RPC_BUSY); otherwise
 * its references are let go. */
void rpc_asof_settle(struct call *k);

/* The methods (docs/protocol.md): each sets k->result or k->text, or
 * calls rpc_fail. */
int m_status(struct call *k);  /* rpc_status.c */
int m_results(struct call *k); /* rpc_verdicts.c */
int m_explain(struct call *k);
int m_summary(struct call *k);
int m_soa(struct call *k);
int m_rules(struct call *k);
int m_history(struct call *k);
int m_sync(struct call *k); /* rpc_jobs.c */
int m_evaluate(struct call *k);
int m_schedule(struct call *k);
int m_audit_plan(struct call *k);
int m_review_pack(struct call *k);
int m_ack(struct call *k);
int m_subscribe(struct call *k); /* rpc_subscribe.c */
int m_unsubscribe(struct call *k);
int m_clock(struct call *k); /* rpc_clock.c */

#endif
