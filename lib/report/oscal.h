/* oscal.h - an evaluation as an OSCAL 1.0.6 assessment-results document
 * (NIST): one result, and per rule that failed or could not be evaluated
 * one observation (its findings' files and lines as relevant evidence)
 * and one finding that targets the clause or Annex A control. UUIDs are
 * name-based (version 5) from the commit, the rule and the evaluation
 * instant, so the same evaluation gives the same document. Any thread. */
#ifndef ISMS_OSCAL_H
#define ISMS_OSCAL_H

#include <jansson.h>

#include "engine.h"

/* The OSCAL version written. */
#define OSCAL_VERSION "1.0.6"

/* The document for ev of the ISMS of organisation (NULL: unnamed) in
 * repository repo. The caller's. */
json_t *oscal_build(const struct evaluation *ev, const char *organisation, const char *repo);
/* A version 5 UUID of name in the URL namespace (RFC 4122 4.3) into
 * out. */
void oscal_uuid(const char *name, char out[37]);

#endif
