/* The output layer under arbitrary words: job ids, template ids, status
 * codes, execution states, quarantine reasons, error codes and messages come
 * straight from the input (NUL-separated fields, up to six jobs), bypassing
 * the JSON parser, which would have refused invalid UTF-8. Whatever they
 * hold, the output must keep its promises:
 * - one status line "ENTRA SYNC <STATE> - ", the worst state, one '|';
 * - perfdata in the strict grammar label=value[uom];warn;crit;min;max, with
 *   labels of [A-Za-z0-9_]{1,60}, unique, units s, % or none;
 * - valid UTF-8 throughout, no control character but the line ends;
 * - no more than --max-output bytes. */
#include "evaluate.h"
#include "fuzz.h"
#include "job.h"
#include "output.h"
#include "range.h"

#define NOW      1796000000.0
#define JOBS_MAX 6

/* The next NUL-terminated field of the input (empty at the end). */
static const char *field(const uint8_t **p, const uint8_t *end, char *buf, size_t n)
{
	size_t i = 0;
	while (*p < end && **p != '\0') {
		if (i + 1 < n)
			buf[i++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	buf[i] = '\0';
	return buf;
}

static enum job_status status_of(const char *code)
{
	static const char *const names[] = {"NotConfigured", "NotRun", "Active", "Paused",
	                                    "Quarantine"};
	static const enum job_status st[] = {JOB_NOT_CONFIGURED, JOB_NOT_RUN, JOB_ACTIVE,
	                                     JOB_PAUSED, JOB_QUARANTINE};
	if (code[0] == '\0')
		return JOB_NO_STATUS;
	for (size_t i = 0; i < 5; i++)
		if (strcmp(code, names[i]) == 0)
			return st[i];
	return JOB_STATUS_OTHER;
}

static void fill_job(struct sync_job *j, const uint8_t **p, const uint8_t *end, unsigned bits)
{
	char buf[JOB_TEXT_MAX];
	memset(j, 0, sizeof(*j));
	str_copy(j->id, sizeof(j->id), field(p, end, buf, sizeof(buf)));
	str_copy(j->template_id, sizeof(j->template_id), field(p, end, buf, sizeof(buf)));
	/* The status code: either a known one (picked by a bit) or the input's. */
	static const char *const known[] = {"Active", "Quarantine", "Paused", "NotRun"};
	const char *code = field(p, end, buf, sizeof(buf));
	if (bits & 1)
		code = known[(bits >> 1) & 3];
	str_copy(j->status_code, sizeof(j->status_code), code);
	j->status_code_present = j->status_code[0] != '\0';
	j->status = status_of(j->status_code);
	str_copy(j->schedule_interval, sizeof(j->schedule_interval),
	         field(p, end, buf, sizeof(buf)));
	j->schedule_present = true;
	j->interval_valid = (bits & 8) != 0;
	j->interval_seconds = j->interval_valid ? 2400 : 0;
	str_copy(j->schedule_state, sizeof(j->schedule_state), "Active");

	struct task_execution *le = &j->last_execution;
	le->present = true;
	str_copy(le->state, sizeof(le->state), field(p, end, buf, sizeof(buf)));
	le->result = (bits & 16) ? RUN_FAILED : RUN_OTHER;
	le->began_valid = le->ended_valid = TIME_VALID;
	le->time_began = NOW - 4000;
	le->time_ended = NOW - 3900;
	le->has_count_escrowed = le->has_count_exported = (bits & 32) != 0;
	le->count_escrowed = (int64_t)bits * 7;
	le->error.present = true;
	str_copy(le->error.code, sizeof(le->error.code), field(p, end, buf, sizeof(buf)));
	str_copy(le->error.message, sizeof(le->error.message), field(p, end, buf, sizeof(buf)));

	struct quarantine *q = &j->quarantine;
	q->present = (bits & 64) != 0 || j->status == JOB_QUARANTINE;
	str_copy(q->reason, sizeof(q->reason), field(p, end, buf, sizeof(buf)));
	q->series_began_valid = TIME_VALID;
	q->series_began = NOW - (double)(bits % 40) * 86400;
	q->series_count = bits % 9;
	q->error = le->error;
	j->successive_failures = bits % 5;
	j->progress_known = (bits & 128) != 0;
	j->progress_percent = (bits % 101);
	str_copy(j->troubleshooting_url, sizeof(j->troubleshooting_url),
	         field(p, end, buf, sizeof(buf)));
}

/* Length of the valid UTF-8 sequence at s, 0 when it is not one (the same
 * rules as text.c, written again here so the check does not trust it). */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n = c < 0x80                   ? 1
	           : (c >= 0xc2 && c <= 0xdf) ? 2
	           : (c >= 0xe0 && c <= 0xef) ? 3
	           : (c >= 0xf0 && c <= 0xf4) ? 4
	                                      : 0;
	if (n == 0 || n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (n == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f)))
		return 0;
	if (n == 4 && ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f)))
		return 0;
	return n;
}

static void check_text(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(s + i, len - i);
		FUZZ_ASSERT(n > 0);
		if (n == 1)
			FUZZ_ASSERT(s[i] == '\n' || (s[i] >= 0x20 && s[i] != 0x7f));
		if (n == 2)
			FUZZ_ASSERT(!(s[i] == 0xc2 && s[i + 1] <= 0x9f));
		if (n == 3)
			FUZZ_ASSERT(!(s[i] == 0xe2 && s[i + 1] == 0x80 &&
			              (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)));
		i += n;
	}
}

static bool is_number(const char **p, bool allow_empty)
{
	const char *s = *p;
	if (*s == '-')
		s++;
	const char *digits = s;
	while (*s >= '0' && *s <= '9')
		s++;
	if (s == digits) {
		*p = s;
		return allow_empty && s == *p;
	}
	if (*s == '.') {
		s++;
		const char *frac = s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == frac)
			return false;
	}
	*p = s;
	return true;
}

/* A threshold field: empty, or [@][~|N][:[N]]. */
static bool is_range(const char *s, const char *end)
{
	if (s == end)
		return true;
	if (*s == '@')
		s++;
	if (*s == '~')
		s++;
	else if (*s != ':' && !is_number(&s, false))
		return false;
	if (s < end && *s == ':') {
		s++;
		if (s < end && !is_number(&s, false))
			return false;
	}
	return s == end;
}

static void check_perfdata(const char *perf, const char *stop)
{
	char labels[128][LABEL_MAX + 1];
	size_t n = 0;
	const char *p = perf;
	while (p < stop) {
		while (p < stop && *p == ' ')
			p++;
		if (p >= stop)
			break;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		FUZZ_ASSERT(eq != NULL);
		size_t llen = (size_t)(eq - p);
		FUZZ_ASSERT(llen >= 1 && llen <= LABEL_MAX);
		for (const char *c = p; c < eq; c++)
			FUZZ_ASSERT((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			            (*c >= '0' && *c <= '9') || *c == '_');
		FUZZ_ASSERT(n < 128);
		memcpy(labels[n], p, llen);
		labels[n][llen] = '\0';
		for (size_t k = 0; k < n; k++)
			FUZZ_ASSERT(strcmp(labels[k], labels[n]) != 0);
		n++;
		const char *v = eq + 1;
		const char *item_end = memchr(v, ' ', (size_t)(stop - v));
		if (item_end == NULL)
			item_end = stop;
		const char *q = v;
		FUZZ_ASSERT(is_number(&q, false));
		if (*q == 's' || *q == '%')
			q++;
		FUZZ_ASSERT(q == item_end || *q == ';');
		for (int f = 0; f < 4 && q < item_end; f++) {
			FUZZ_ASSERT(*q == ';');
			q++;
			const char *fe = memchr(q, ';', (size_t)(item_end - q));
			if (fe == NULL)
				fe = item_end;
			if (f < 2) {
				FUZZ_ASSERT(is_range(q, fe));
			} else {
				const char *r = q;
				FUZZ_ASSERT(q == fe || (is_number(&r, false) && r == fe));
			}
			q = fe;
		}
		FUZZ_ASSERT(q == item_end);
		p = item_end;
	}
	(void)n; /* a tight budget may leave no metric at all */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	size_t n = (size_t)(data[0] % JOBS_MAX) + 1;
	unsigned bits = data[1];
	size_t budget = OUTPUT_MAX_MIN + (size_t)data[2] * 40;
	const uint8_t *p = data + 3, *end = data + size;

	struct sync_job *jobs = calloc(n, sizeof(*jobs));
	struct job_result *res = calloc(n, sizeof(*res));
	if (jobs == NULL || res == NULL)
		abort();
	struct eval_config cfg;
	eval_config_init(&cfg);
	struct job_context ctx = {.now = NOW, .started_at = (bits & 4) ? NOW - 60 : 0};
	for (size_t i = 0; i < n; i++) {
		fill_job(&jobs[i], &p, end, bits + (unsigned)i * 37);
		evaluate_job(&jobs[i], &cfg, &ctx, &res[i]);
	}

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (out == NULL)
		abort();
	struct output_options opt = {.max_bytes = budget, .bare_labels = n == 1 && (bits & 2)};
	struct run_facts facts = {.http_seconds = 0.25};
	enum state st = output_check(out, res, n, &opt, &facts);
	fclose(out);

	FUZZ_ASSERT(st == results_worst(res, n));
	FUZZ_ASSERT(len <= budget);
	check_text(text, len);
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "%s %s - ", OUTPUT_PREFIX, state_name(st));
	FUZZ_ASSERT(strncmp(text, prefix, strlen(prefix)) == 0);
	const char *nl = memchr(text, '\n', len);
	FUZZ_ASSERT(nl != NULL && text[len - 1] == '\n');
	const char *bar = memchr(text, '|', (size_t)(nl - text));
	FUZZ_ASSERT(bar != NULL && (size_t)(bar - text) <= HEAD_MAX + 1);
	FUZZ_ASSERT(memchr(bar + 1, '|', len - (size_t)(bar + 1 - text)) == NULL);
	check_perfdata(bar + 1, nl);
	free(text);
	free(res);
	free(jobs);
	return 0;
}
