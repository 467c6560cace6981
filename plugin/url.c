/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

int url_parts(const char *url, char *scheme, size_t scheme_n, char *host, size_t host_n, long *port)
{
	CURLU *u = curl_url();
	if (u == NULL)
		return -1;
	char *s = NULL, *hs = NULL, *ps = NULL;
	int rc = -1;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &hs, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &ps, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		const char *hp = hs;
		size_t hl = strlen(hs);
		if (hl >= 2 && hs[0] == '[' && hs[hl - 1] == ']') {
			hp++;
			hl -= 2;
		}
		if (strlen(s) < scheme_n && hl < host_n) {
			for (size_t i = 0; s[i]; i++)
				scheme[i] = (char)tolower((unsigned char)s[i]);
			scheme[strlen(s)] = '\0';
			for (size_t i = 0; i < hl; i++)
				host[i] = (char)tolower((unsigned char)hp[i]);
			host[hl] = '\0';
			*port = strtol(ps, NULL, 10);
			rc = 0;
		}
	}
	curl_free(s);
	curl_free(hs);
	curl_free(ps);
	curl_url_cleanup(u);
	return rc;
}

static bool host_is_loopback(const char *host)
{
	unsigned char a4[4];
	unsigned char a6[16];
	static const unsigned char v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	if (strcmp(host, "localhost") == 0 || strcmp(host, "localhost.") == 0)
		return true;
	if (inet_pton(AF_INET, host, a4) == 1)
		return a4[0] == 127;
	if (inet_pton(AF_INET6, host, a6) == 1)
		return memcmp(a6, v6_loop, 16) == 0;
	return false;
}

bool url_host_is_loopback(const char *url)
{
	char scheme[16], host[256];
	long port;
	if (url == NULL || url_parts(url, scheme, sizeof(scheme), host, sizeof(host), &port) < 0)
		return false;
	return host_is_loopback(host);
}

bool url_same_origin(const char *a, const char *b)
{
	char sa[16], sb[16], ha[256], hb[256];
	long pa, pb;
	if (a == NULL || b == NULL || url_parts(a, sa, sizeof(sa), ha, sizeof(ha), &pa) < 0 ||
	    url_parts(b, sb, sizeof(sb), hb, sizeof(hb), &pb) < 0)
		return false;
	return strcmp(sa, sb) == 0 && strcmp(ha, hb) == 0 && pa == pb;
}

bool url_has_userinfo(const char *url)
{
	/* Textually, not through curl_url(): "https://u:pa/ss@host" is no URL
	 * libcurl can parse, and its password must be seen all the same. */
	const char *at = memchr(url, '@', strcspn(url, "?#"));
	return at != NULL;
}

int url_allowed(const char *url, const char *plain_ok, char *host, size_t host_n, long *port,
                struct err *e)
{
	char scheme[16];
	if (url_parts(url, scheme, sizeof(scheme), host, host_n, port) < 0)
		return err_set(e, ERR_CONFIG, "malformed URL: %.200s", url);
	if (strcmp(scheme, "https") == 0)
		return 0;
	if (strcmp(scheme, "http") != 0)
		return err_set(e, ERR_CONFIG, "refusing %s:// URL for %s: only https is used",
		               scheme, host);
	if (host_is_loopback(host) || (plain_ok != NULL && url_same_origin(url, plain_ok)))
		return 0;
	return err_set(e, ERR_CONFIG,
	               "refusing plain http:// to %s: http is allowed only for loopback hosts "
	               "(127.0.0.0/8, ::1, localhost); use https",
	               host);
}

char *url_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(s);
	char *out = malloc(len * 3 + 1);
	if (out == NULL)
		return NULL;
	char *p = out;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

int url_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool url_segment_is_dot(const char *s)
{
	/* Decoded repeatedly: a server, a proxy or libcurl may each decode once. */
	char a[16], b[16];
	if (s == NULL || strlen(s) >= sizeof(a))
		return false;
	str_copy(a, sizeof(a), s);
	for (int round = 0; round < 4; round++) {
		if (strcmp(a, ".") == 0 || strcmp(a, "..") == 0)
			return true;
		size_t o = 0;
		bool changed = false;
		for (size_t i = 0; a[i]; i++) {
			int hi, lo;
			if (a[i] == '%' && (hi = url_hex_value(a[i + 1])) >= 0 &&
			    (lo = url_hex_value(a[i + 2])) >= 0) {
				b[o++] = (char)(hi * 16 + lo);
				i += 2;
				changed = true;
			} else {
				b[o++] = a[i];
			}
		}
		b[o] = '\0';
		if (!changed)
			return false;
		memcpy(a, b, o + 1);
	}
	return strcmp(a, ".") == 0 || strcmp(a, "..") == 0;
}
