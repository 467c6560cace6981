#include "redact.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const char *const secret_keys[] = {
    "access_token",     "refresh_token", "id_token", "client_secret",
    "client_assertion", "assertion",     "password", NULL,
};

static bool is_secret_key(const char *key, size_t len)
{
	for (size_t i = 0; secret_keys[i] != NULL; i++) {
		if (strlen(secret_keys[i]) == len && strncasecmp(secret_keys[i], key, len) == 0)
			return true;
	}
	return false;
}

int redact_header_line(const char *line, size_t len, struct buf *out)
{
	const char *colon = memchr(line, ':', len);
	if (colon == NULL)
		return buf_append(out, line, len);
	size_t name_len = (size_t)(colon - line);
	bool keep_scheme = (name_len == 13 && strncasecmp(line, "Authorization", 13) == 0) ||
	                   (name_len == 19 && strncasecmp(line, "Proxy-Authorization", 19) == 0);
	bool drop_all = (name_len == 6 && strncasecmp(line, "Cookie", 6) == 0) ||
	                (name_len == 10 && strncasecmp(line, "Set-Cookie", 10) == 0);
	if (!keep_scheme && !drop_all)
		return buf_append(out, line, len);

	const char *p = colon + 1;
	const char *end = line + len;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (keep_scheme) {
		/* The scheme is one token; everything after it is the credential. */
		const char *s = p;
		while (s < end && *s != ' ' && *s != '\t')
			s++;
		if (s < end)
			p = s + 1;
	}
	if (buf_append(out, line, (size_t)(p - line)) < 0)
		return -1;
	return buf_puts(out, REDACTED);
}

/* At body[i] a JSON string starts ('"'). Returns the index just past its
 * closing quote, or len when it is unterminated. */
static size_t json_string_end(const char *body, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (body[i] == '\\')
			i++;
		else if (body[i] == '"')
			return i + 1;
	}
	return len;
}

static size_t skip_ws(const char *body, size_t len, size_t i)
{
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	return i;
}

/* A JSON member "key" : "value" with a secret key starting at the quote at i:
 * appends the key and [redacted], returns the index after the value; 0 when
 * this is not such a member. */
static size_t redact_json_member(const char *body, size_t len, size_t i, struct buf *out, int *rc)
{
	size_t key_end = json_string_end(body, len, i);
	if (key_end >= len || !is_secret_key(body + i + 1, key_end - i - 2))
		return 0;
	size_t j = skip_ws(body, len, key_end);
	if (j >= len || body[j] != ':')
		return 0;
	j = skip_ws(body, len, j + 1);
	if (j >= len || body[j] != '"')
		return 0;
	size_t value_end = json_string_end(body, len, j);
	if (buf_append(out, body + i, j - i) < 0 || buf_puts(out, "\"" REDACTED "\"") < 0)
		*rc = -1;
	return value_end;
}

/* A form field key=value with a secret key starting at i (start of input or
 * after '&'): appends key=[redacted], returns the index of the next '&' or len;
 * 0 when the field is not secret. */
static size_t redact_form_field(const char *body, size_t len, size_t i, struct buf *out, int *rc)
{
	size_t k = i;
	while (k < len && body[k] != '=' && body[k] != '&')
		k++;
	if (k >= len || body[k] != '=' || !is_secret_key(body + i, k - i))
		return 0;
	size_t v = k + 1;
	while (v < len && body[v] != '&')
		v++;
	if (buf_append(out, body + i, k + 1 - i) < 0 || buf_puts(out, REDACTED) < 0)
		*rc = -1;
	return v;
}

static int redact_json(const char *body, size_t len, struct buf *out)
{
	int rc = 0;
	size_t i = 0;
	while (i < len && rc == 0) {
		if (body[i] != '"') {
			size_t end = i;
			while (end < len && body[end] != '"')
				end++;
			rc = buf_append(out, body + i, end - i);
			i = end;
			continue;
		}
		size_t next = redact_json_member(body, len, i, out, &rc);
		if (next == 0) {
			next = json_string_end(body, len, i);
			rc = rc < 0 ? rc : buf_append(out, body + i, next - i);
		}
		i = next;
	}
	return rc;
}

static int redact_form(const char *body, size_t len, struct buf *out)
{
	int rc = 0;
	size_t i = 0;
	while (i < len && rc == 0) {
		size_t next = redact_form_field(body, len, i, out, &rc);
		if (next == 0) {
			next = i;
			while (next < len && body[next] != '&')
				next++;
			rc = buf_append(out, body + i, next - i);
		}
		if (next < len)
			rc = rc < 0 ? rc : buf_append(out, "&", 1);
		i = next + 1;
	}
	return rc;
}

int redact_body(const char *body, size_t len, struct buf *out)
{
	size_t i = skip_ws(body, len, 0);
	if (i < len && (body[i] == '{' || body[i] == '['))
		return redact_json(body, len, out);
	return redact_form(body, len, out);
}
