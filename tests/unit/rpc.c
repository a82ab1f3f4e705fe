/* rpc.c - parsing of JSON-RPC request lines and the method table's flags:
 * every malformed request gets an error object with the right code. */
#include <stdlib.h>
#include <string.h>

#include "rpc.h"
#include "tap.h"
#include "cdefs.h"
#include "alloc.h"
#include "err.h"

/* Parse line; the error code (0 when it parsed) and the reply's id as
 * JSON text. */
static int
parse(const char *line, size_t len, char *id, size_t idlen)
{
	json_t *req;
	id[0] = '\0';
	int code = rpc_parse(line, len, &req);
	if (code < 0) {
		/* The reply the dispatcher sends. */
		json_t *err = rpc_error(rpc_id(req), code, "%s", err_msg());
		char *s = json_dumps(json_object_get(err, "id"), JSON_ENCODE_ANY);
		snprintf(id, idlen, "%s", s);
		free(s);
		ok(json_is_string(json_object_get(json_object_get(err, "error"), "message")),
		   "the error has a message");
		json_decref(err);
	} else {
		ok(req != NULL, "a request");
	}
	json_decref(req);
	return code;
}

static void
case_(const char *line, int want, const char *want_id)
{
	char id[64];
	is_int(parse(line, strlen(line), id, sizeof(id)), want, "code %d for %.50s", want, line);
	if (want_id)
		is_str(id, want_id, "id %s for %.50s", want_id, line);
}

int
main(void)
{
	case_("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}", 0, NULL);
	case_("{\"jsonrpc\":\"2.0\",\"method\":\"status\"}", 0, NULL);
	case_("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"x\",\"params\":{}}", 0, NULL);
	case_("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"x\",\"params\":null}", 0, NULL);
	case_("", RPC_PARSE_ERROR, "null");
	case_("{", RPC_PARSE_ERROR, "null");
	case_("}{", RPC_PARSE_ERROR, "null");
	case_("{\"a\":1} trailing", RPC_PARSE_ERROR, "null");
	case_("\xff\xfe{}", RPC_PARSE_ERROR, "null");
	/* The parser's error quotes the bytes near it, here not UTF-8: the
	 * reply must still be JSON (this once left no reply to send). */
	case_("{\"jsonrpc\":\"2.0\",\"id\":3\"\\\xee\x96\xb3\xcfud7ff\",\"method\":\"status\"}",
	      RPC_PARSE_ERROR, "null");
	case_("{\"jsonrpc\":\"2.0\",\"id\":17,\"met\\\xd4\x9chod\":\"subscribe\"}", RPC_PARSE_ERROR,
	      "null");
	case_("{\"a\":\"\xc0\xaf\"}", RPC_PARSE_ERROR, "null");
	case_("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"method\":\"b\"}", RPC_PARSE_ERROR, "null");
	case_("[]", RPC_INVALID_REQUEST, "null");
	case_("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"status\"}]", 0, NULL);
	case_("42", RPC_INVALID_REQUEST, "null");
	case_("null", RPC_INVALID_REQUEST, "null");
	case_("{}", RPC_INVALID_REQUEST, "null");
	case_("{\"jsonrpc\":2,\"id\":5,\"method\":\"x\"}", RPC_INVALID_REQUEST, "5");
	case_("{\"jsonrpc\":\"2.0\",\"id\":6}", RPC_INVALID_REQUEST, "6");
	case_("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":[]}", RPC_INVALID_REQUEST, "7");
	case_("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}", RPC_INVALID_REQUEST, "null");
	case_("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"x\"}", RPC_INVALID_REQUEST, "null");
	case_("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"x\"}", RPC_INVALID_REQUEST, "null");
	case_("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"x\",\"params\":[1]}", RPC_INVALID_PARAMS, "8");
	case_("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"x\",\"params\":\"p\"}", RPC_INVALID_PARAMS, "9");

	/* Deep nesting and a long line do not crash the parser. */
	size_t n = 1 << 20;
	char *deep = xmalloc(n + 1);
	memset(deep, '[', n);
	deep[n] = '\0';
	char id[64];
	ok(parse(deep, n, id, sizeof(id)) == RPC_PARSE_ERROR, "a megabyte of '[' is a parse error");
	memset(deep, ' ', n);
	memcpy(deep + n - 2, "{}", 2);
	is_int(parse(deep, n, id, sizeof(id)), RPC_INVALID_REQUEST, "a megabyte of space then {}");
	free(deep);
	/* A NUL inside the line. */
	ok(parse("{\"a\":1}\0{}", 10, id, sizeof(id)) == RPC_PARSE_ERROR, "a NUL byte is a parse error");

	is_int(rpc_method_flags("status"), RPC_READ, "status reads");
	is_int(rpc_method_flags("results"), RPC_READ, "results reads");
	is_int(rpc_method_flags("sync"), RPC_WRITE, "sync writes");
	is_int(rpc_method_flags("evaluate"), RPC_WRITE, "evaluate writes");
	is_int(rpc_method_flags("ack"), RPC_WRITE, "ack writes (authorised like sync)");
	is_int(rpc_method_flags("clock"), RPC_WRITE, "clock writes (--frozen-clock only)");
	is_int(rpc_method_flags("schedule"), RPC_READ, "schedule reads");
	is_int(rpc_method_flags("audit-plan"), RPC_READ, "audit-plan reads");
	is_int(rpc_method_flags("subscribe"), RPC_SUBSCRIBE, "subscribe subscribes");
	is_int(rpc_method_flags("unsubscribe"), RPC_SUBSCRIBE, "unsubscribe too");
	is_int(rpc_method_flags("nope"), -1, "unknown method");
	static const char *const all[] = {"status", "results", "explain", "summary", "soa",
	                                  "rules", "history", "sync", "evaluate", "subscribe",
	                                  "unsubscribe", "schedule", "calendar", "audit-plan",
	                                  "review-pack", "ack", "clock"};
	int missing = 0;
	for (size_t i = 0; i < NELEM(all); i++)
		missing += rpc_method_flags(all[i]) < 0;
	is_int(missing, 0, "every documented method is in the table");

	json_t *e = rpc_error(NULL, RPC_FAILED, "failed: %s", "why");
	char *s = json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER);
	is_str(s, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32003,\"message\":\"failed: why\"}}",
	       "rpc_error builds a JSON-RPC error");
	free(s);
	json_decref(e);
	return done_testing();
}
