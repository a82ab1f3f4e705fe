/* cdefs.h - the compiler attributes and array helpers every module uses;
 * a header alone, it depends on nothing. */
#ifndef ISMS_CDEFS_H
#define ISMS_CDEFS_H

#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NELEM(a)     (sizeof(a) / sizeof((a)[0]))

#endif
