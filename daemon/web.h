/* web.h - the dashboard's files (daemon/web/), embedded in the binary at
 * build time (the Makefile writes build/gen/web_assets.c). */
#ifndef ISMS_WEB_H
#define ISMS_WEB_H

#include <stddef.h>

struct web_asset {
	const char *name; /* file name under daemon/web/ */
	const char *type; /* its Content-Type */
	const unsigned char *data;
	size_t len;
};

extern const struct web_asset web_assets[];
extern const size_t web_nassets;

#endif
