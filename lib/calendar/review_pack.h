/* review_pack.h - the management review pack: the inputs clause 9.3.2
 * asks for, gathered from the records since the last management review,
 * as Markdown the team commits as the review's agenda. */
#ifndef ISMS_REVIEW_PACK_H
#define ISMS_REVIEW_PACK_H

#include <stdint.h>

#include "model.h"
#include "buf.h"

/* Append the pack for model m as of instant now to out. Every item links
 * to the record it came from, as "[file:line](PREFIXfile#Lline)";
 * link_prefix is how the pack's location reaches the repository root
 * ("../" for a pack committed under reviews/; NULL means that). */
void review_pack_write(const struct model *m, int64_t now, const char *link_prefix,
                       struct buf *out);

#endif
