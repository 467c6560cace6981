/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Event handler decisions, start rules, state files and job-id file names. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "evaluate.h"
#include "handler.h"
#include "job.h"
#include "modes.h"
#include "options.h"
#include "statefile.h"

#define NOW 1800000000.0

static void config_with_state(struct handler_options *c, enum state st, bool hard, int attempt,
                              int on_soft)
{
	memset(c, 0, sizeof(*c));
	c->have_service_state = true;
	c->service_state = st;
	c->have_state_type = true;
	c->state_hard = hard;
	c->attempt = attempt;
	c->on_soft_attempt = on_soft;
}

static void rules_init(struct handler_options *h)
{
	memset(h, 0, sizeof(*h));
	h->cooldown = 3600;
	h->max_starts = 3;
}

static void rules_free(struct handler_options *h)
{
	for (size_t i = 0; i < h->n_allow_reasons; i++)
		free(h->allow_reasons[i]);
	h->n_allow_reasons = 0;
}

/* ---- handler_should_act ---- */

static void should_act_every_state_type_and_attempt(void **state)
{
	(void)state;
	const enum state states[] = {STATE_OK, STATE_WARNING, STATE_CRITICAL, STATE_UNKNOWN};
	for (size_t s = 0; s < 4; s++)
		for (int hard = 0; hard <= 1; hard++)
			for (int attempt = 0; attempt <= 5; attempt++)
				for (int on_soft = 0; on_soft <= 4; on_soft++) {
					struct handler_options c;
					config_with_state(&c, states[s], hard, attempt, on_soft);
					bool want = states[s] == STATE_CRITICAL &&
					            (hard || (on_soft > 0 && attempt == on_soft));
					if (handler_should_act(&c) != (int)want)
						fail_msg("state %d hard %d attempt %d on_soft %d: "
						         "expected %d",
						         (int)states[s], hard, attempt, on_soft,
						         (int)want);
				}
}

static void should_act_critical_hard(void **state)
{
	(void)state;
	struct handler_options c;
	config_with_state(&c, STATE_CRITICAL, true, 3, 0);
	assert_true(handler_should_act(&c));
}

static void should_not_act_on_soft_without_on_soft_attempt(void **state)
{
	(void)state;
	struct handler_options c;
	config_with_state(&c, STATE_CRITICAL, false, 1, 0);
	assert_false(handler_should_act(&c));
}

static void should_act_on_soft_only_at_the_given_attempt(void **state)
{
	(void)state;
	struct handler_options c;
	config_with_state(&c, STATE_CRITICAL, false, 2, 2);
	assert_true(handler_should_act(&c));
	c.attempt = 1;
	assert_false(handler_should_act(&c));
	c.attempt = 3;
	assert_false(handler_should_act(&c));
}

static void should_not_act_on_warning_unknown_or_ok_hard(void **state)
{
	(void)state;
	struct handler_options c;
	config_with_state(&c, STATE_WARNING, true, 3, 0);
	assert_false(handler_should_act(&c));
	c.service_state = STATE_UNKNOWN;
	assert_false(handler_should_act(&c));
	c.service_state = STATE_OK;
	assert_false(handler_should_act(&c));
}

static void should_not_act_without_service_state(void **state)
{
	(void)state;
	struct handler_options c;
	config_with_state(&c, STATE_CRITICAL, true, 3, 0);
	c.have_service_state = false;
	assert_false(handler_should_act(&c));
	config_with_state(&c, STATE_CRITICAL, true, 3, 0);
	c.have_state_type = false;
	assert_false(handler_should_act(&c));
}

static void describe_state_names_state_type_and_attempt(void **state)
{
	(void)state;
	struct handler_options c;
	char buf[64];
	config_with_state(&c, STATE_CRITICAL, false, 2, 0);
	handler_describe_state(&c, buf, sizeof(buf));
	assert_string_equal(buf, "CRITICAL SOFT attempt 2");
	c.attempt = 0;
	c.state_hard = true;
	handler_describe_state(&c, buf, sizeof(buf));
	assert_string_equal(buf, "CRITICAL HARD");
}

/* ---- quarantine reasons ---- */

static const char *const allowed_by_default[] = {
    "EncounteredBaseEscrowThreshold",
    "EncounteredTotalEscrowThreshold",
    "EncounteredEscrowProportionThreshold",
    "EncounteredQuarantineException",
    "Unknown",
    "IngestionInterrupted",
};

static void default_reasons_are_the_documented_curable_ones(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	for (size_t i = 0; i < sizeof(allowed_by_default) / sizeof(allowed_by_default[0]); i++)
		assert_true(handler_reason_allowed(&c, allowed_by_default[i]));
	assert_false(handler_reason_allowed(&c, "TooManyDeletes"));
	assert_false(handler_reason_allowed(&c, "QuarantinedOnDemand"));
	assert_false(handler_reason_allowed(&c, "toomanydeletes"));
	/* a reason Microsoft adds tomorrow is not retried blindly */
	assert_false(handler_reason_allowed(&c, "EncounteredNewFutureReason"));
	assert_true(handler_reason_allowed(&c, "encounteredquarantineexception"));
}

static void empty_reason_is_not_allowed_by_default(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	assert_false(handler_reason_allowed(&c, ""));
	assert_false(handler_reason_allowed(&c, NULL));
}

static void allow_reason_replaces_the_default_set(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	c.allow_reasons[c.n_allow_reasons++] = strdup("TooManyDeletes");
	c.allow_reasons[c.n_allow_reasons++] = strdup("Unknown");
	assert_true(handler_reason_allowed(&c, "TooManyDeletes"));
	assert_true(handler_reason_allowed(&c, "unknown"));
	assert_false(handler_reason_allowed(&c, "EncounteredQuarantineException"));
	assert_false(handler_reason_allowed(&c, ""));
	rules_free(&c);
}

static void allow_reason_empty_string_allows_the_empty_reason(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	c.allow_reasons[c.n_allow_reasons++] = strdup("");
	assert_true(handler_reason_allowed(&c, ""));
	assert_false(handler_reason_allowed(&c, "Unknown"));
	rules_free(&c);
}

/* ---- what to do with a job: decided from check mode's judgement ---- */

static struct sync_job J;
static struct job_result R;

static enum repair decide(const struct handler_options *h, const char *code, const char *reason)
{
	memset(&J, 0, sizeof(J));
	str_copy(J.id, sizeof(J.id), "Box.fedcba9876543210fedcba9876543210");
	str_copy(J.template_id, sizeof(J.template_id), "Box");
	if (code != NULL) {
		/* the model's one case rule, as job.c applies it */
		static const char *const names[] = {"NotConfigured", "NotRun", "Active", "Paused",
		                                    "Quarantine"};
		static const enum job_status st[] = {JOB_NOT_CONFIGURED, JOB_NOT_RUN, JOB_ACTIVE,
		                                     JOB_PAUSED, JOB_QUARANTINE};
		J.status_code_present = true;
		str_copy(J.status_code, sizeof(J.status_code), code);
		J.status = JOB_STATUS_OTHER;
		for (size_t i = 0; i < 5; i++)
			if (strcasecmp(code, names[i]) == 0)
				J.status = st[i];
	}
	if (reason != NULL) {
		J.quarantine.present = true;
		str_copy(J.quarantine.reason, sizeof(J.quarantine.reason), reason);
	}
	struct eval_config ev;
	eval_config_init(&ev);
	struct job_context ctx = {.now = NOW};
	evaluate_job(&J, &ev, &ctx, &R);
	return handler_decide(h, &R);
}

static void quarantine_with_allowed_reason_is_started(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	assert_int_equal(decide(&c, "Quarantine", "EncounteredQuarantineException"), REPAIR_START);
}

static void quarantine_code_in_another_case_is_judged_the_same(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	/* check mode calls "quarantine" CRITICAL; the handler must not say "healthy" */
	assert_int_equal(decide(&c, "quarantine", "EncounteredQuarantineException"), REPAIR_START);
	assert_int_equal(R.state, STATE_CRITICAL);
	assert_int_equal(decide(&c, "QUARANTINE", "TooManyDeletes"), REPAIR_REASON_DENIED);
}

static void quarantine_reason_too_many_deletes_is_not_started(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	assert_int_equal(decide(&c, "Quarantine", "TooManyDeletes"), REPAIR_REASON_DENIED);
	assert_int_equal(decide(&c, "Quarantine", "QuarantinedOnDemand"), REPAIR_REASON_DENIED);
	assert_int_equal(decide(&c, "Quarantine", "EncounteredNewFutureReason"),
	                 REPAIR_REASON_DENIED);
}

static void quarantine_without_reason_is_not_started_by_default(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	assert_int_equal(decide(&c, "Quarantine", NULL), REPAIR_REASON_DENIED);
	assert_int_equal(decide(&c, "Quarantine", ""), REPAIR_REASON_DENIED);
}

static void paused_is_started_only_with_start_paused(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	assert_int_equal(decide(&c, "Paused", NULL), REPAIR_PAUSED_LEFT);
	c.start_paused = true;
	assert_int_equal(decide(&c, "Paused", NULL), REPAIR_START);
	/* the documented Paused job with an empty quarantine reason */
	assert_int_equal(decide(&c, "Paused", ""), REPAIR_START);
}

static void paused_with_disallowed_quarantine_reason_is_not_started(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	c.start_paused = true;
	assert_int_equal(decide(&c, "Paused", "TooManyDeletes"), REPAIR_REASON_DENIED);
}

static void running_or_unconfigured_jobs_are_never_started(void **state)
{
	(void)state;
	struct handler_options c;
	rules_init(&c);
	c.start_paused = true;
	const char *codes[] = {"Active", "NotRun", "NotConfigured", "SomethingNew"};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(decide(&c, codes[i], NULL), REPAIR_NOTHING);
	assert_int_equal(decide(&c, NULL, NULL), REPAIR_NOTHING); /* status: {} */
}

/* ---- start rules ---- */

static void history_of(struct start_history *h, const double *ages, size_t n)
{
	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < n; i++) {
		h->e[h->n].when = NOW - ages[i];
		h->e[h->n].origin = ORIGIN_HANDLER;
		h->n++;
	}
}

static void rules_allow_a_first_start(void **state)
{
	(void)state;
	struct start_history h = {.n = 0};
	double wait = -5;
	assert_int_equal(start_rules_check(&h, NOW, 3600, 3, false, &wait), START_ALLOWED);
	assert_true(wait == 0);
}

static void rules_refuse_within_cooldown(void **state)
{
	(void)state;
	struct start_history h;
	double wait = 0;
	history_of(&h, (double[]){10}, 1);
	assert_int_equal(start_rules_check(&h, NOW, 3600, 3, false, &wait), START_COOLDOWN);
	assert_true(wait == 3590);
}

static void rules_allow_at_exactly_the_cooldown(void **state)
{
	(void)state;
	struct start_history h;
	double wait = 0;
	history_of(&h, (double[]){3600}, 1);
	assert_int_equal(start_rules_check(&h, NOW, 3600, 3, false, &wait), START_ALLOWED);
	history_of(&h, (double[]){3599}, 1);
	assert_int_equal(start_rules_check(&h, NOW, 3600, 3, false, &wait), START_COOLDOWN);
}

static void rules_cooldown_zero_allows_back_to_back(void **state)
{
	(void)state;
	struct start_history h;
	double wait = 0;
	history_of(&h, (double[]){0}, 1);
	assert_int_equal(start_rules_check(&h, NOW, 0, 3, false, &wait), START_ALLOWED);
}

static void rules_refuse_past_max_starts_per_day(void **state)
{
	(void)state;
	struct start_history h;
	double wait = 0;
	history_of(&h, (double[]){80000, 100}, 2);
	assert_int_equal(start_rules_check(&h, NOW, 0, 2, false, &wait), START_MAX_STARTS);
	assert_true(wait == 86400 - 80000);
	assert_int_equal(start_rules_check(&h, NOW, 0, 3, false, &wait), START_ALLOWED);
}

static void rules_forget_starts_older_than_a_day(void **state)
{
	(void)state;
	struct start_history h;
	double wait = 0;
	history_of(&h, (double[]){90000, 86400, 100000}, 3);
	assert_int_equal(start_history_recent(&h, NOW), 0);
	assert_int_equal(start_rules_check(&h, NOW, 3600, 1, false, &wait), START_ALLOWED);
}

static void rules_wait_until_enough_starts_leave_the_window(void **state)
{
	(void)state;
	struct start_history h;
	double wait = 0;
	/* 4 starts, limit 2: the three oldest must leave before one more fits */
	history_of(&h, (double[]){50000, 80000, 20000, 70000}, 4);
	assert_int_equal(start_rules_check(&h, NOW, 0, 2, false, &wait), START_MAX_STARTS);
	assert_true(wait == 86400 - 50000);
}

static void rules_count_a_start_just_ahead_as_now(void **state)
{
	(void)state;
	struct start_history h;
	double wait = 0;
	history_of(&h, (double[]){-120}, 1); /* two minutes ahead: clocks drift */
	assert_int_equal(start_rules_check(&h, NOW, 3600, 3, false, &wait), START_COOLDOWN);
	assert_true(wait == 3600);
	assert_int_equal(start_history_recent(&h, NOW), 1);
}

static void rules_do_not_wait_on_a_start_far_ahead(void **state)
{
	(void)state;
	struct start_history h;
	double wait = 0;
	/* a year ahead (the clock was ahead when it was recorded): no valid
	 * time, neither the cooldown nor the cap waits on it */
	history_of(&h, (double[]){-365 * 86400.0}, 1);
	assert_int_equal(start_rules_check(&h, NOW, 3600, 1, false, &wait), START_ALLOWED);
	assert_true(wait == 0);
	assert_int_equal(start_history_recent(&h, NOW), 0);
	struct start_record rec;
	start_history_summary(&h, NOW, &rec);
	assert_true(rec.last == 0);
	assert_true(rec.ahead == NOW + 365 * 86400.0);
}

static void rules_max_starts_zero_refuses_always(void **state)
{
	(void)state;
	struct start_history h = {.n = 0};
	double wait = 0;
	assert_int_equal(start_rules_check(&h, NOW, 0, 0, false, &wait), START_MAX_STARTS);
	assert_true(wait < 0);
}

static void operator_starts_count_for_the_rules(void **state)
{
	(void)state;
	struct start_history h = {.n = 0};
	double wait = 0;
	start_history_add(&h, NOW - 60, ORIGIN_OPERATOR, NULL, 0, 0);
	assert_int_equal(start_rules_check(&h, NOW, 3600, 3, false, &wait), START_COOLDOWN);
}

static void history_add_drops_entries_older_than_a_day(void **state)
{
	(void)state;
	struct start_history h;
	history_of(&h, (double[]){100000, 3000}, 2);
	/* a successful cycle ended after both: that episode is over */
	start_history_add(&h, NOW, ORIGIN_HANDLER, NULL, 0, NOW - 1000);
	assert_int_equal(h.n, 2);
	assert_true(h.e[0].when == NOW - 3000);
	assert_true(h.e[1].when == NOW);
	assert_int_equal(h.episode_first, 1);
	assert_true(h.episode_began == NOW);
}

static void history_round_trips_through_text(void **state)
{
	(void)state;
	struct start_history h = {.n = 0}, back;
	struct buf b = {0};
	struct err e = {0};
	start_history_add(&h, NOW - 100, ORIGIN_HANDLER, NULL, 0, 0);
	start_history_add(&h, NOW, ORIGIN_OPERATOR, NULL, 0, 0);
	assert_int_equal(start_history_format(&h, &b), 0);
	assert_int_equal(start_history_parse(b.data, &back, &e), 0);
	assert_int_equal(back.n, 2);
	assert_true(back.e[0].when == NOW - 100);
	assert_int_equal(back.e[0].origin, ORIGIN_HANDLER);
	assert_int_equal(back.e[1].origin, ORIGIN_OPERATOR);
	buf_free(&b);
}

static void history_parse_refuses_garbage(void **state)
{
	(void)state;
	struct start_history h;
	struct err e = {0};
	assert_int_equal(start_history_parse("1800000000 handler\nbogus\n", &h, &e), -1);
	assert_non_null(strstr(e.msg, "line 2"));
	assert_int_equal(start_history_parse("-5 handler\n", &h, &e), -1);
	assert_int_equal(start_history_parse("1800000000\n", &h, &e), -1);
	assert_int_equal(start_history_parse("1800000000 someone\n", &h, &e), -1);
	assert_int_equal(start_history_parse("# comment\n\n1800000000 handler", &h, &e), 0);
	assert_int_equal(h.n, 1);
}

/* ---- job ids as file names ---- */

static void plain_job_id_is_its_own_stem(void **state)
{
	(void)state;
	char stem[STEM_MAX];
	assert_int_equal(job_file_stem("AD2AADProvisioning.fd1c9b9e8077402c8bc03a7186c8f976", stem,
	                               sizeof(stem)),
	                 0);
	assert_string_equal(stem, "AD2AADProvisioning.fd1c9b9e8077402c8bc03a7186c8f976");
	assert_true(job_id_is_plain("scim.0123456789abcdef0123456789abcdef"));
}

static void hashed_stem_is_hex_only(const char *id)
{
	char stem[STEM_MAX];
	assert_int_equal(job_file_stem(id, stem, sizeof(stem)), 0);
	assert_int_equal(strlen(stem), 2 + 64);
	assert_memory_equal(stem, "x_", 2);
	for (const char *p = stem + 2; *p; p++)
		assert_non_null(strchr("0123456789abcdef", *p));
}

static void odd_job_ids_are_hashed(void **state)
{
	(void)state;
	const char *odd[] = {
	    "../../etc/passwd",
	    "scim.0123456789abcdef0123456789abcdef/../x",
	    "scim/0123456789abcdef0123456789abcdef",
	    ".0123456789abcdef0123456789abcdef",
	    "scim.0123456789ABCDEF0123456789ABCDEF",
	    "scim.0123456789abcdef",
	    "scim.0123456789abcdef0123456789abcdef0",
	    "sc im.0123456789abcdef0123456789abcdef",
	    "scim.0123456789abcdef0123456789abcde\n",
	    "",
	    "..",
	    "AVeryLongTemplateNameThatGoesOnAndOnAndOnAndOnAndOnAndOnAndOnAndOn."
	    "0123456789abcdef0123456789abcdef",
	};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		assert_false(job_id_is_plain(odd[i]));
		hashed_stem_is_hex_only(odd[i]);
	}
}

static void different_odd_ids_get_different_stems(void **state)
{
	(void)state;
	char a[STEM_MAX], b[STEM_MAX];
	assert_int_equal(job_file_stem("../a", a, sizeof(a)), 0);
	assert_int_equal(job_file_stem("../b", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
}

/* ---- state files on disk ---- */

struct tmpdir {
	char path[64];
	int fd;
};

static int tmpdir_setup(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	str_copy(t->path, sizeof(t->path), "/tmp/test_handler.XXXXXX");
	if (mkdtemp(t->path) == NULL) {
		free(t);
		return -1;
	}
	t->fd = open(t->path, O_RDONLY | O_DIRECTORY);
	*state = t;
	return t->fd < 0 ? -1 : 0;
}

static int tmpdir_teardown(void **state)
{
	struct tmpdir *t = *state;
	char cmd[128];
	close(t->fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->path);
	int rc = system(cmd);
	free(t);
	return rc == 0 ? 0 : -1;
}

static const char *const JOB = "Box.fedcba9876543210fedcba9876543210";

static void state_file_is_written_0600_and_read_back(void **state)
{
	struct tmpdir *t = *state;
	struct job_state js;
	struct err e = {0};
	assert_int_equal(job_state_acquire(t->fd, JOB, clock_mono() + 2, &js, &e), 0);
	assert_int_equal(js.history.n, 0);
	start_history_add(&js.history, clock_wall(), ORIGIN_HANDLER, NULL, 0, 0);
	assert_int_equal(job_state_save(&js, &e), 0);
	job_state_release(&js);

	struct stat st;
	char name[256];
	snprintf(name, sizeof(name), "%s/%s.state", t->path, JOB);
	assert_int_equal(stat(name, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(name, sizeof(name), "%s/%s.lock", t->path, JOB);
	assert_int_equal(stat(name, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	assert_int_equal(job_state_acquire(t->fd, JOB, clock_mono() + 2, &js, &e), 0);
	assert_int_equal(js.history.n, 1);
	double wait;
	assert_int_equal(start_rules_check(&js.history, clock_wall(), 3600, 3, false, &wait),
	                 START_COOLDOWN);
	job_state_release(&js);
}

static void state_file_leaves_no_temporary_files(void **state)
{
	struct tmpdir *t = *state;
	struct job_state js;
	struct err e = {0};
	assert_int_equal(job_state_acquire(t->fd, JOB, clock_mono() + 2, &js, &e), 0);
	start_history_add(&js.history, clock_wall(), ORIGIN_OPERATOR, NULL, 0, 0);
	assert_int_equal(job_state_save(&js, &e), 0);
	job_state_release(&js);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "test $(ls -A '%s' | wc -l) -eq 2", t->path);
	assert_int_equal(system(cmd), 0);
}

static void corrupt_state_file_is_an_error(void **state)
{
	struct tmpdir *t = *state;
	struct job_state js;
	struct err e = {0};
	int fd = openat(t->fd, "Box.fedcba9876543210fedcba9876543210.state",
	                O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "yesterday\n", 10), 10);
	close(fd);
	assert_int_equal(job_state_acquire(t->fd, JOB, clock_mono() + 2, &js, &e), -1);
	assert_non_null(strstr(e.msg, "state file"));
}

static void state_file_symlink_is_refused(void **state)
{
	struct tmpdir *t = *state;
	struct job_state js;
	struct err e = {0};
	assert_int_equal(
	    symlinkat("/etc/passwd", t->fd, "Box.fedcba9876543210fedcba9876543210.state"), 0);
	assert_int_equal(job_state_acquire(t->fd, JOB, clock_mono() + 2, &js, &e), -1);
}

static void lock_held_elsewhere_times_out(void **state)
{
	struct tmpdir *t = *state;
	struct job_state js;
	struct err e = {0};
	int ready[2], done[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(done), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct job_state held;
		struct err ce = {0};
		char c = 0;
		if (job_state_acquire(t->fd, JOB, clock_mono() + 2, &held, &ce) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		job_state_release(&held);
		_exit(0);
	}
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	double t0 = clock_mono();
	assert_int_equal(job_state_acquire(t->fd, JOB, t0 + 0.3, &js, &e), -1);
	assert_int_equal(e.kind, ERR_TIMEOUT);
	assert_true(clock_mono() - t0 >= 0.25);
	assert_int_equal(write(done[1], "x", 1), 1);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* released: now it can be taken */
	assert_int_equal(job_state_acquire(t->fd, JOB, clock_mono() + 2, &js, &e), 0);
	job_state_release(&js);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

static void odd_job_id_stays_inside_the_state_dir(void **state)
{
	struct tmpdir *t = *state;
	struct job_state js;
	struct err e = {0};
	assert_int_equal(job_state_acquire(t->fd, "../../escape", clock_mono() + 2, &js, &e), 0);
	assert_int_equal(job_state_save(&js, &e), 0);
	job_state_release(&js);
	char cmd[200];
	snprintf(cmd, sizeof(cmd),
	         "test $(ls -A '%s' | grep -c '^x_[0-9a-f]\\{64\\}\\.\\(lock\\|state\\)$') -eq 2",
	         t->path);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(should_act_every_state_type_and_attempt),
	    cmocka_unit_test(should_act_critical_hard),
	    cmocka_unit_test(should_not_act_on_soft_without_on_soft_attempt),
	    cmocka_unit_test(should_act_on_soft_only_at_the_given_attempt),
	    cmocka_unit_test(should_not_act_on_warning_unknown_or_ok_hard),
	    cmocka_unit_test(should_not_act_without_service_state),
	    cmocka_unit_test(describe_state_names_state_type_and_attempt),
	    cmocka_unit_test(default_reasons_are_the_documented_curable_ones),
	    cmocka_unit_test(empty_reason_is_not_allowed_by_default),
	    cmocka_unit_test(allow_reason_replaces_the_default_set),
	    cmocka_unit_test(allow_reason_empty_string_allows_the_empty_reason),
	    cmocka_unit_test(quarantine_with_allowed_reason_is_started),
	    cmocka_unit_test(quarantine_code_in_another_case_is_judged_the_same),
	    cmocka_unit_test(quarantine_reason_too_many_deletes_is_not_started),
	    cmocka_unit_test(quarantine_without_reason_is_not_started_by_default),
	    cmocka_unit_test(paused_is_started_only_with_start_paused),
	    cmocka_unit_test(paused_with_disallowed_quarantine_reason_is_not_started),
	    cmocka_unit_test(running_or_unconfigured_jobs_are_never_started),
	    cmocka_unit_test(rules_allow_a_first_start),
	    cmocka_unit_test(rules_refuse_within_cooldown),
	    cmocka_unit_test(rules_allow_at_exactly_the_cooldown),
	    cmocka_unit_test(rules_cooldown_zero_allows_back_to_back),
	    cmocka_unit_test(rules_refuse_past_max_starts_per_day),
	    cmocka_unit_test(rules_forget_starts_older_than_a_day),
	    cmocka_unit_test(rules_wait_until_enough_starts_leave_the_window),
	    cmocka_unit_test(rules_count_a_start_just_ahead_as_now),
	    cmocka_unit_test(rules_do_not_wait_on_a_start_far_ahead),
	    cmocka_unit_test(rules_max_starts_zero_refuses_always),
	    cmocka_unit_test(operator_starts_count_for_the_rules),
	    cmocka_unit_test(history_add_drops_entries_older_than_a_day),
	    cmocka_unit_test(history_round_trips_through_text),
	    cmocka_unit_test(history_parse_refuses_garbage),
	    cmocka_unit_test(plain_job_id_is_its_own_stem),
	    cmocka_unit_test(odd_job_ids_are_hashed),
	    cmocka_unit_test(different_odd_ids_get_different_stems),
	    cmocka_unit_test_setup_teardown(state_file_is_written_0600_and_read_back, tmpdir_setup,
	                                    tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(state_file_leaves_no_temporary_files, tmpdir_setup,
	                                    tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(corrupt_state_file_is_an_error, tmpdir_setup,
	                                    tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(state_file_symlink_is_refused, tmpdir_setup,
	                                    tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(lock_held_elsewhere_times_out, tmpdir_setup,
	                                    tmpdir_teardown),
	    cmocka_unit_test_setup_teardown(odd_job_id_stays_inside_the_state_dir, tmpdir_setup,
	                                    tmpdir_teardown),
	};
	return cmocka_run_group_tests_name("handler", tests, NULL, NULL);
}
