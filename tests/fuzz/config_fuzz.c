/* config_fuzz.c - a libFuzzer target for the daemon's configuration file
 * (docs/ismsd.conf.md). `make fuzz` builds and runs it.
 *
 * The input is the file. Loading and checking it must end in settings or
 * in problems that each name the file and a line within it; never a
 * crash, a hang or a leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "problems.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/ismsd-config-fuzz.%d.yaml", (int)getpid());
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	int lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	struct config c;
	struct problems errs = { 0 };
	config_defaults(&c);
	if (config_load(path, &c, &errs) == 0)
		config_check(&c, &errs);
	for (size_t i = 0; i < errs.n; i++)
		if (errs.v[i].path == NULL || errs.v[i].line < 0 || errs.v[i].line > lines ||
		    errs.v[i].msg == NULL || errs.v[i].msg[0] == '\0')
			abort();
	problems_free(&errs);
	config_free(&c);
	return 0;
}
