/* rpc_clock.c - the clock method, a testing aid: under ismsd
 * --frozen-clock the daemon's clock stands still, and this moves it and
 * runs what fell due, so that tests of time never race the wall clock. */
#include "date.h"
#include "rpc.h"
#include "rpc_int.h"

/* Seconds the clock may be moved at once: a hundred years. */
#define MAX_ADVANCE ((json_int_t)100 * 366 * 86400)

int
m_clock(struct call *k)
{
	const struct rpc_env *e = k->e;
	json_t *set = json_object_get(k->params, "set");
	json_t *adv = json_object_get(k->params, "advance");
	int64_t now, t;
	struct ymd d;
	int has_time;
	if (e->clock == NULL)
		return rpc_fail(k, RPC_NO_METHOD,
		                "no method 'clock': it moves the daemon's clock only when ismsd "
		                "runs with --frozen-clock (a testing aid)");
	if ((set == NULL) == (adv == NULL))
		return rpc_fail(k, RPC_INVALID_PARAMS,
		                "give one of \"set\" (an ISO 8601 date or date-time) and "
		                "\"advance\" (seconds)");
	now = e->now(e->arg);
	if (set) {
		if (!json_is_string(set) ||
		    date_parse(json_string_value(set), "UTC", &d, &t, &has_time) < 0)
			return rpc_fail(k, RPC_INVALID_PARAMS,
			                "\"set\" must be an ISO 8601 date or date-time");
		/* A bare date is noon UTC, as for ismsd --now. */
		if (!has_time)
			t = date_days(d) * 86400 + (int64_t)12 * 3600;
	} else {
		if (!json_is_integer(adv) || json_integer_value(adv) < 0 ||
		    json_integer_value(adv) > MAX_ADVANCE)
			return rpc_fail(k, RPC_INVALID_PARAMS,
			                "\"advance\" must be a whole number of seconds from 0 to "
			                "%lld",
			                (long long)MAX_ADVANCE);
		t = now + (int64_t)json_integer_value(adv);
	}
	if (t < now) {
		json_t *a = rpc_jtime(t), *b = rpc_jtime(now);
		rpc_fail(k, RPC_INVALID_PARAMS, "the clock only moves forward: %s is before %s",
		         json_string_value(a), json_string_value(b));
		json_decref(a);
		json_decref(b);
		return -1;
	}
	size_t n = e->clock(e->arg, t);
	rpc_status_forget();
	k->result = json_pack("{s:o, s:I}", "now", rpc_jtime(t), "evaluations", (json_int_t)n);
	return 0;
}
