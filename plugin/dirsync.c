/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --directory-sync: the tenant's on-premises directory synchronization.
 * Acquire (organization and onPremisesSynchronization), judge, present. */
#include "dirsync_data.h"
#include "dirsync_eval.h"
#include "dirsync_graph.h"
#include "dirsync_output.h"
#include "expiry.h"
#include "format/format.h"
#include "graph.h"
#include "modes.h"
#include "options.h"
#include "output.h"

int mode_directory_sync(const struct mode_env *m, struct err *e)
{
	const struct config *cfg = m->cfg;
	struct dirsync_data d;
	if (graph_read_directory_sync(m->g, &d, e) < 0)
		return -1;
	struct dirsync_result r;
	double now = clock_wall();
	dirsync_evaluate(&d, &cfg->eval, now, &r);
	struct expiry_result expiry;
	mode_credential_expiry(m, &expiry);
	struct run_facts facts = {.now = now};
	output_expiry_facts(&expiry, &facts);
	facts.http_seconds = m->g->http->seconds;
	struct report rep = {0};
	int rc = output_dirsync(&rep, &r, &facts, e);
	if (rc == 0)
		rc = format_write(m->out, &rep, &cfg->output, e);
	report_free(&rep);
	return rc;
}
