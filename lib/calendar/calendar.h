/* calendar.h - the ISMS calendar computed from a repository's records:
 * management reviews, certification audits, internal audits, reviews of
 * documents, the risk assessment and suppliers, and the due dates of
 * corrective and risk treatment actions. Also the small record readers
 * the scheduler modules share. */
#ifndef ISMS_CALENDAR_H
#define ISMS_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "doc.h"
#include "model.h"
#include "buf.h"

enum cal_kind {
	CAL_MANAGEMENT_REVIEW,  /* next management review (9.3) */
	CAL_REVIEW_ACTION,      /* action of a management review (9.3.3) */
	CAL_INTERNAL_AUDIT,     /* audit planned in the programme (9.2) */
	CAL_STAGE1,             /* certification stage 1 audit */
	CAL_STAGE2,             /* certification stage 2 audit */
	CAL_SURVEILLANCE,       /* surveillance audit, issue + 12 / + 24 months */
	CAL_RECERTIFICATION,    /* recertification audit, lead time before expiry */
	CAL_CERT_EXPIRY,        /* the certificate expires */
	CAL_DOCUMENT_REVIEW,    /* policy or procedure review (5.2, 7.5) */
	CAL_RISK_ASSESSMENT,    /* risk register reassessment (8.2) */
	CAL_RISK_METHOD_REVIEW, /* risk method review (6.1.2) */
	CAL_SUPPLIER_REVIEW,    /* supplier review (A.5.22) */
	CAL_CORRECTIVE_ACTION,  /* corrective action due (10.2) */
	CAL_RISK_TREATMENT,     /* risk treatment action due (6.1.3, 8.3) */
	CAL_NKINDS
};

struct cal_event {
	char *id; /* stable: "<kind>:<record id>", unique in the calendar */
	enum cal_kind kind;
	char *title;     /* one line, for people */
	struct ymd date; /* the date it falls due or takes place */
	char *owner;     /* person id, or NULL */
	char *file;      /* record it comes from (repository-relative) */
	int line;        /* line of the field that gives the date */
	int overdue;     /* an obligation of the organisation, not met by now */
};

struct calendar {
	char *tz;            /* the organisation's time zone */
	struct ymd today;    /* the date of `now` in tz */
	struct cal_event *v; /* sorted by date, then id */
	size_t n;
};

/* Compute the calendar of model m as of instant now. Never fails: records
 * it cannot read are left out (the rules report them). *out is the
 * caller's, freed with calendar_free. */
void calendar_build(const struct model *m, int64_t now, struct calendar **out);
void calendar_free(struct calendar *c);
/* A hash of everything in m that calendar_build reads (the time zone,
 * and the paths and blob ids of isms.yaml and the records of the types
 * it reads): two models with the same hash have the same calendar on
 * the same day. 0 when m has files of the work tree, whose content has
 * no blob id. */
uint64_t calendar_inputs(const struct model *m);
/* The kind's name as used in ids, parameters and output ("document-review");
 * and back (-1 when unknown). */
const char *calendar_kind_name(enum cal_kind k);
int calendar_kind_find(const char *name);
/* Whether events of kind k are the organisation's own obligations, which
 * can be overdue (not audits the certification body holds). */
int calendar_obligation(enum cal_kind k);
/* Write the calendar as text, one event per line, to a buffer. */
void calendar_text(const struct calendar *c, struct buf *out);

/* Record readers shared by the scheduler modules (planner, reminders,
 * review pack). Nodes are borrowed from the model. */

/* Call fn for every record of record type `type` (a collection's items, or
 * a document's or singleton's root). */
typedef void (*calendar_visit)(const struct node *rec, const struct model_doc *md, void *arg);
void calendar_each(const struct model *m, const char *type, calendar_visit fn, void *arg);
/* The text of a scalar field (a number's source text), or NULL. */
const char *calendar_str(const struct node *rec, const char *key);
/* A date field; 0 with *out set, or -1 when absent or not a date. */
int calendar_date(const struct node *rec, const char *key, struct ymd *out);
/* A whole-number field, or def. */
int64_t calendar_int(const struct node *rec, const char *key, int64_t def);
/* A number field (integer or not), or def. */
double calendar_num(const struct node *rec, const char *key, double def);
/* A rule parameter from isms.yaml: parameters[rule][name] when rule is not
 * NULL and present, else parameters[name]; NULL when neither is set. */
const struct node *calendar_param(const struct model *m, const char *rule, const char *name);
/* A whole-number parameter (see calendar_param), or def. */
int64_t calendar_param_int(const struct model *m, const char *rule, const char *name, int64_t def);

#endif
