/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/* A host as curl_url() gives it, into host (size n): lower case, an IPv6
 * address without its brackets. 0, or -1 when it does not fit. */
static int copy_host(const char *h, char *host, size_t n)
{
	size_t hl = strlen(h);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= n)
		return -1;
	for (size_t i = 0; i < hl; i++)
		host[i] = (char)tolower((unsigned char)h[i]);
	host[hl] = '\0';
	return 0;
}

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
	    curl_url_get(u, CURLUPART_PORT, &ps, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    strlen(s) < scheme_n && copy_host(hs, host, host_n) == 0) {
		for (size_t i = 0; s[i]; i++)
			scheme[i] = (char)tolower((unsigned char)s[i]);
		scheme[strlen(s)] = '\0';
		*port = strtol(ps, NULL, 10);
		rc = 0;
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

#ifdef UNITTESTS
bool url_host_is_loopback(const char *url)
{
	char scheme[16], host[256];
	long port;
	if (url == NULL || url_parts(url, scheme, sizeof(scheme), host, sizeof(host), &port) < 0)
		return false;
	return host_is_loopback(host);
}
#endif

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

static bool set(const char *s)
{
	return s != NULL && *s != '\0';
}

/* Either family; false for anything else. */
static bool parse_address(const char *s, unsigned char *addr, int *bits)
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*bits = 32;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*bits = 128;
		return true;
	}
	return false;
}

/* host (an address) inside the block "address/prefix". */
static bool in_block(const char *host, const char *block)
{
	char net[64];
	const char *slash = strchr(block, '/');
	size_t len = (size_t)(slash - block);
	if (len >= sizeof(net))
		return false;
	memcpy(net, block, len);
	net[len] = '\0';
	unsigned char a[16], b[16];
	int abits, bbits;
	char *end;
	long prefix = strtol(slash + 1, &end, 10);
	if (!parse_address(host, a, &abits) || !parse_address(net, b, &bbits) || abits != bbits ||
	    *end != '\0' || prefix < 0 || prefix > abits)
		return false;
	int whole = (int)prefix / 8, rest = (int)prefix % 8;
	if (memcmp(a, b, (size_t)whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & (0xff << (8 - rest))) == 0;
}

static bool entry_matches(const char *entry, size_t len, const char *host)
{
	char e[256];
	if (len > 0 && entry[0] == '.') {
		entry++;
		len--;
	}
	if (len >= 2 && entry[0] == '[' && entry[len - 1] == ']') {
		entry++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof(e))
		return false;
	memcpy(e, entry, len);
	e[len] = '\0';
	if (strcmp(e, "*") == 0)
		return true;
	if (strchr(e, '/') != NULL)
		return in_block(host, e);
	size_t hl = strlen(host);
	if (hl > 0 && host[hl - 1] == '.')
		hl--; /* "localhost." is localhost */
	if (hl == len)
		return strncasecmp(host, e, len) == 0;
	return hl > len && host[hl - len - 1] == '.' && strncasecmp(host + hl - len, e, len) == 0;
}

UNITTEST bool url_no_proxy_matches(const char *list, const char *host)
{
	if (!set(list) || host == NULL)
		return false;
	const char *p = list;
	while (*p) {
		size_t skip = strspn(p, ", \t");
		p += skip;
		size_t len = strcspn(p, ", \t");
		if (len > 0 && entry_matches(p, len, host))
			return true;
		p += len;
	}
	return false;
}

/* The host of a proxy as libcurl takes it (a URL, or host:port meaning
 * http://), or -1. */
static int proxy_host(const char *proxy, char *host, size_t n)
{
	CURLU *u = curl_url();
	char *h = NULL;
	int rc = -1;
	if (u != NULL &&
	    curl_url_set(u, CURLUPART_URL, proxy,
	                 CURLU_DEFAULT_SCHEME | CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK)
		rc = copy_host(h, host, n);
	curl_free(h);
	curl_url_cleanup(u);
	return rc;
}

/* The proxy libcurl sends a plain-http request to host through: --proxy,
 * else http_proxy, else all_proxy; none when no_proxy names host (it
 * exempts from --proxy too). *from names where it came from. */
static const char *plain_proxy(const struct url_proxies *p, const char *host, const char **from)
{
	if (url_no_proxy_matches(p->no_proxy, host))
		return NULL;
	if (set(p->proxy)) {
		*from = "--proxy";
		return p->proxy;
	}
	if (set(p->http_proxy)) {
		*from = "http_proxy";
		return p->http_proxy;
	}
	if (set(p->all_proxy)) {
		*from = "all_proxy";
		return p->all_proxy;
	}
	return NULL;
}

static int hop_allowed(const struct url_proxies *proxies, const char *host, const char **pin,
                       struct err *e)
{
	const char *from = "";
	const char *proxy = proxies != NULL ? plain_proxy(proxies, host, &from) : NULL;
	char phost[256];
	*pin = proxy != NULL ? proxy : "";
	if (proxy == NULL)
		return 0;
	if (proxy_host(proxy, phost, sizeof(phost)) < 0)
		return err_set(
		    e, ERR_CONFIG,
		    "refusing plain http:// to %s through the proxy of %s, whose address "
		    "cannot be read",
		    host, from);
	if (host_is_loopback(phost))
		return 0;
	return err_set(e, ERR_CONFIG,
	               "refusing plain http:// to %s through the proxy %s (%s): a proxy off this "
	               "machine would read the request, secret or token included; use https, a "
	               "proxy on loopback, or name %s in no_proxy",
	               host, phost, from, host);
}

int url_allowed(const char *url, const char *plain_ok, const struct url_proxies *proxies,
                char *host, size_t host_n, long *port, const char **pin, struct err *e)
{
	char scheme[16];
	*pin = proxies != NULL ? NULL : "";
	if (url_parts(url, scheme, sizeof(scheme), host, host_n, port) < 0)
		return err_set(e, ERR_CONFIG, "malformed URL: %.200s", url);
	if (strcmp(scheme, "https") == 0)
		return 0;
	if (strcmp(scheme, "http") != 0)
		return err_set(e, ERR_CONFIG, "refusing %s:// URL for %s: only https is used",
		               scheme, host);
	if (host_is_loopback(host) || (plain_ok != NULL && url_same_origin(url, plain_ok)))
		return hop_allowed(proxies, host, pin, e);
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
