/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "http.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/x509.h>

#include "encode.h"
#include "redact.h"
#include "text.h"
#include "timeparse.h"
#include "url.h"

#define TRACE_BODY_MAX 2048
/* Backoff between attempts when Retry-After asks for less (or nothing). */
#define BACKOFF_MAX 30.0

/* State of one transfer, shared with the libcurl callbacks. */
struct xfer {
	struct http_response *resp;
	const char *req_body;
	bool req_body_traced;
	bool oversize;
	bool got_status; /* the status line arrived: what fails next is in the headers */
};

static bool dir_has_hashed_certs(const char *dir);
static const char *default_cert_dir(void);
static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata);
static size_t header_cb(char *data, size_t size, size_t nmemb, void *userdata);
static int debug_cb(CURL *curl, curl_infotype type, char *data, size_t size, void *userdata);

/* OpenSSL's hashed certificate directory (SSL_CERT_DIR honoured), when it
 * holds hashed links; NULL otherwise. */
static const char *default_cert_dir(void)
{
	const char *dir = getenv(X509_get_default_cert_dir_env());
	if (dir == NULL || *dir == '\0')
		dir = X509_get_default_cert_dir();
	return dir_has_hashed_certs(dir) ? dir : NULL;
}

static bool dir_has_hashed_certs(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return false;
	bool found = false;
	struct dirent *de;
	while (!found && (de = readdir(d)) != NULL) {
		const char *dot = strrchr(de->d_name, '.');
		found = dot != NULL && dot - de->d_name == 8 && isdigit((unsigned char)dot[1]);
	}
	closedir(d);
	return found;
}

static const char *env_either(const char *lower, const char *upper)
{
	const char *v = getenv(lower);
	return v != NULL && *v != '\0' ? v : getenv(upper);
}

/* Where libcurl would find a proxy, read the way it reads it: the request
 * rule (url_allowed) judges the proxy a plain-http request would take. */
static void read_proxies(struct http_client *h)
{
	h->proxies.proxy = h->opt->proxy;
	h->proxies.http_proxy = getenv("http_proxy");
	h->proxies.all_proxy = env_either("all_proxy", "ALL_PROXY");
	h->proxies.no_proxy = env_either("no_proxy", "NO_PROXY");
}

/* "a FIFO", "a directory", ... for messages. */
static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/* A file OpenSSL would open must be a regular one: it reads with fopen(),
 * which waits on a FIFO for a writer that never comes, past -t, until the
 * daemon kills the run. Missing is for libcurl to report. */
static int regular_or_missing(const char *path, const char *what, const char *noun, struct err *e)
{
	struct stat st;
	if (path == NULL || *path == '\0' || stat(path, &st) < 0 || S_ISREG(st.st_mode))
		return 0;
	return err_set(e, ERR_CONFIG, "%s %s is %s, not %s: refused", what, path,
	               file_kind(st.st_mode), noun);
}

/* Every entry of a hashed directory that OpenSSL would open when it looks
 * up an issuer ("<8 hex digits>.<n>", CRLs ".r<n>") must be a regular file
 * (links followed, as OpenSSL follows them). */
static int hashed_dir_usable(const char *dir, const char *what, struct err *e)
{
	struct stat st;
	if (dir == NULL || *dir == '\0' || stat(dir, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ERR_CONFIG,
		               "%s %s is %s, not a directory of certificates: refused", what, dir,
		               file_kind(st.st_mode));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return 0; /* unreadable: OpenSSL cannot open its entries either */
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		if (strspn(n, "0123456789abcdef") != 8 || n[8] != '.')
			continue;
		const char *num = n + 9 + (n[9] == 'r');
		if (*num == '\0' || num[strspn(num, "0123456789")] != '\0')
			continue;
		if (fstatat(fd, n, &st, 0) == 0 && !S_ISREG(st.st_mode))
			rc = err_set(
			    e, ERR_CONFIG,
			    "%s %s holds %s, which is %s, not a certificate: refused (OpenSSL "
			    "would wait on it past -t)",
			    what, dir, n, file_kind(st.st_mode));
	}
	closedir(d);
	return rc;
}

/* Refuses, before libcurl or OpenSSL open any of them, the trust anchors
 * and OpenSSL's configuration that would hold the run: --cacert,
 * --capath, SSL_CERT_FILE, each directory of SSL_CERT_DIR, OPENSSL_CONF.
 * Not the system's own directory: only root can put a file there, and
 * looking at its 300 entries would cost every run about 0.8 ms. */
static int trust_files_usable(const struct http_options *opt, struct err *e)
{
	static const char *const certs = "a file of certificates";
	const char *conf = getenv("OPENSSL_CONF");
	const char *file = getenv(X509_get_default_cert_file_env());
	if (regular_or_missing(conf, "OPENSSL_CONF", "a configuration file", e) < 0 ||
	    regular_or_missing(opt->cacert, "--cacert", certs, e) < 0 ||
	    regular_or_missing(file, "SSL_CERT_FILE", certs, e) < 0 ||
	    hashed_dir_usable(opt->capath, "--capath", e) < 0)
		return -1;
	const char *env_dirs = getenv(X509_get_default_cert_dir_env());
	char *dirs = env_dirs != NULL ? strdup(env_dirs) : NULL;
	int rc = 0;
	char *save = NULL;
	/* OpenSSL reads SSL_CERT_DIR as a list, like PATH */
	for (char *dir = dirs ? strtok_r(dirs, ":", &save) : NULL; dir != NULL && rc == 0;
	     dir = strtok_r(NULL, ":", &save))
		rc = hashed_dir_usable(dir, "SSL_CERT_DIR", e);
	free(dirs);
	return rc;
}

int http_init(struct http_client *h, const struct http_options *opt, struct run *run, struct err *e)
{
	memset(h, 0, sizeof(*h));
	h->opt = opt;
	h->run = run;
	if (trust_files_usable(opt, e) < 0)
		return -1;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return err_set(e, ERR_INTERNAL, "cannot initialise libcurl");
	CURL *c = curl_easy_init();
	if (c == NULL) {
		curl_global_cleanup();
		return err_set(e, ERR_INTERNAL, "cannot initialise libcurl");
	}
	h->curl = c;

	CURLcode rc = CURLE_OK;
	rc |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
#if LIBCURL_VERSION_NUM >= 0x075500
	rc |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc |= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	/* libcurl before 7.85 (Debian 11: 7.74, RHEL 9: 7.76) has only the
	 * bitmask; 7.85 deprecates it, so newer headers take the names above. */
	rc |= curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	rc |=
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	rc |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	/* The path goes out as built: libcurl must not fold "/.." segments. */
	rc |= curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	rc |= curl_easy_setopt(c, CURLOPT_USERAGENT, PLUGIN_NAME "/" PLUGIN_VERSION);
	rc |= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_BODY_MAX);
	if (rc != CURLE_OK) {
		http_cleanup(h);
		return err_set(e, ERR_INTERNAL, "libcurl refused a basic option");
	}

	/* Trust. Loading the whole CA bundle costs OpenSSL 3 about 20 ms per run
	 * (doc/design.md, "Cost"); the hashed directory is looked up lazily, so it is the
	 * default. */
	if (opt->cacert != NULL) {
		rc = curl_easy_setopt(c, CURLOPT_CAINFO, opt->cacert);
		rc |= curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	} else if (opt->capath != NULL) {
		rc = curl_easy_setopt(c, CURLOPT_CAINFO, NULL);
		rc |= curl_easy_setopt(c, CURLOPT_CAPATH, opt->capath);
	} else {
		const char *dir = default_cert_dir();
		if (dir != NULL) {
			rc = curl_easy_setopt(c, CURLOPT_CAINFO, NULL);
			rc |= curl_easy_setopt(c, CURLOPT_CAPATH, dir);
		}
	}
	if (rc != CURLE_OK) {
		http_cleanup(h);
		return err_set(e, ERR_CONFIG, "libcurl refused the trust settings");
	}
	read_proxies(h);
	if (run->verbose >= 3) {
		curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
		curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	}
	return 0;
}

void http_cleanup(struct http_client *h)
{
	if (h->curl != NULL) {
		curl_easy_cleanup(h->curl);
		h->curl = NULL;
		curl_global_cleanup();
	}
}

void http_response_free(struct http_response *resp)
{
	buf_free(&resp->body);
	memset(resp, 0, sizeof(*resp));
}

/* ---- callbacks ---- */

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	if (x->resp->body.len + n > HTTP_BODY_MAX) {
		x->oversize = true;
		return 0;
	}
	if (buf_append(&x->resp->body, data, n) < 0)
		return 0;
	return n;
}

/* Copies a header value when the line is "name: value" (case-insensitive). */
static void header_capture(const char *line, size_t len, const char *name, char *dst, size_t n)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	const char *v = line + nl + 1;
	const char *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vl = (size_t)(end - v);
	if (vl >= n)
		vl = n - 1;
	memcpy(dst, v, vl);
	dst[vl] = '\0';
}

static size_t header_cb(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct xfer *x = userdata;
	size_t n = size * nmemb;
	struct http_response *r = x->resp;
	/* A new status line (after 100 Continue or a proxy CONNECT) starts afresh. */
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		r->request_id[0] = r->retry_after[0] = r->location[0] = '\0';
		x->got_status = true;
		return n;
	}
	header_capture(data, n, "request-id", r->request_id, sizeof(r->request_id));
	header_capture(data, n, "retry-after", r->retry_after, sizeof(r->retry_after));
	header_capture(data, n, "location", r->location, sizeof(r->location));
	return n;
}

/* Writes one trace line: prefix and text (len bytes, bounded by the caller)
 * cleaned as every printed line is. */
static void trace_line(const char *prefix, const char *s, size_t len)
{
	struct buf b = {0};
	if (buf_append(&b, s, len) < 0) {
		buf_free(&b);
		return;
	}
	/* a NUL inside would end the line early: shown as the control it is */
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] == '\0')
			b.data[i] = ' ';
	redact_userinfo(b.data); /* "Uses proxy env variable http_proxy == '...'" */
	text_clean_trace(b.data);
	fprintf(stderr, "%s%s\n", prefix, b.data);
	buf_free(&b);
}

static void trace_headers(const char *prefix, const char *data, size_t size)
{
	size_t i = 0;
	while (i < size) {
		size_t end = i;
		while (end < size && data[end] != '\n')
			end++;
		size_t stop = end;
		while (stop > i && (data[stop - 1] == '\r' || data[stop - 1] == '\n'))
			stop--;
		if (stop > i) {
			struct buf b = {0};
			if (redact_header_line(data + i, stop - i, &b) == 0 && b.data != NULL)
				trace_line(prefix, b.data, b.len);
			buf_free(&b);
		}
		i = end + 1;
	}
}

/* Bodies are traced whole and redacted as a whole (a chunk boundary must never
 * split a secret past the redactor), then cut to TRACE_BODY_MAX. */
static void trace_body(const char *prefix, const char *body, size_t len)
{
	struct buf b = {0};
	if (redact_body(body, len, &b) < 0 || b.data == NULL) {
		buf_free(&b);
		return;
	}
	if (b.len <= TRACE_BODY_MAX) {
		trace_line(prefix, b.data, b.len);
	} else {
		trace_line(prefix, b.data, TRACE_BODY_MAX);
		fprintf(stderr, "%s[%zu more bytes not shown]\n", prefix, b.len - TRACE_BODY_MAX);
	}
	buf_free(&b);
}

static int debug_cb(CURL *curl, curl_infotype type, char *data, size_t size, void *userdata)
{
	(void)curl;
	struct xfer *x = userdata;
	switch (type) {
	case CURLINFO_TEXT:
		trace_headers("* ", data, size > TRACE_BODY_MAX ? TRACE_BODY_MAX : size);
		break;
	case CURLINFO_HEADER_OUT:
		trace_headers("> ", data, size);
		break;
	case CURLINFO_HEADER_IN:
		trace_headers("< ", data, size);
		break;
	case CURLINFO_DATA_OUT:
		if (!x->req_body_traced && x->req_body != NULL) {
			x->req_body_traced = true;
			trace_body("> ", x->req_body, strlen(x->req_body));
		}
		break;
	default:
		break;
	}
	return 0;
}

/* ---- requests ---- */

/* "Graph", "the sign-in service", ... for messages. */
static const char *service_name(const struct http_client *h, const char *url, const char *host)
{
	if (h->opt->graph_url != NULL && url_same_origin(url, h->opt->graph_url))
		return "Graph";
	if (h->opt->login_url != NULL && url_same_origin(url, h->opt->login_url))
		return "the sign-in service";
	if (h->opt->imds_url != NULL && url_same_origin(url, h->opt->imds_url))
		return "the instance metadata service";
	return host;
}

static bool header_given(const char *const *headers, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		if (strncasecmp(headers[i], name, nl) == 0 && headers[i][nl] == ':')
			return true;
	}
	return false;
}

static struct curl_slist *build_headers(const char *const *headers, bool empty_post)
{
	struct curl_slist *list = NULL;
	struct curl_slist *tmp;
	char line[64];
	char guid[37];
	/* Only a correlation id: without random bytes, none is sent. */
	if (guid_new(guid) == 0)
		snprintf(line, sizeof(line), "client-request-id: %s", guid);
	else
		str_copy(line, sizeof(line), "client-request-id:");
	const char *fixed[] = {
	    line,
	    header_given(headers, "Accept") ? NULL : "Accept: application/json",
	    "Expect:",
	    empty_post && !header_given(headers, "Content-Type") ? "Content-Type:" : NULL,
	};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (fixed[i] == NULL)
			continue;
		if ((tmp = curl_slist_append(list, fixed[i])) == NULL)
			goto fail;
		list = tmp;
	}
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
		if ((tmp = curl_slist_append(list, headers[i])) == NULL)
			goto fail;
		list = tmp;
	}
	return list;
fail:
	curl_slist_free_all(list);
	return NULL;
}

static int set_method(CURL *c, const char *method, const char *body)
{
	CURLcode rc = curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	if (strcmp(method, "GET") == 0) {
		rc |= curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "POST") == 0) {
		rc |= curl_easy_setopt(c, CURLOPT_POST, 1L);
		rc |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		rc |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		                       (curl_off_t)(body != NULL ? strlen(body) : 0));
	} else {
		return -1;
	}
	return rc == CURLE_OK ? 0 : -1;
}

/* The URL without query and fragment, for messages. */
static void url_for_message(const char *url, char *out, size_t n)
{
	str_copy(out, n, url);
	out[strcspn(out, "?#")] = '\0';
}

/* libcurl refuses a header line over its 100 KB limit as out of memory, and
 * from 8.6 (Debian 13: 8.14) with CURLE_TOO_LARGE: after the status line,
 * before the body, that is what it was. */
static bool header_too_large(CURLcode rc, const struct xfer *x)
{
	bool refused = rc == CURLE_OUT_OF_MEMORY;
#if LIBCURL_VERSION_NUM >= 0x080600
	refused = refused || rc == CURLE_TOO_LARGE;
#endif
	return refused && x->got_status && x->resp->body.len == 0;
}

static int transfer_error(struct http_client *h, CURLcode rc, const struct xfer *x,
                          const char *errbuf, const char *url, const char *host, long port,
                          struct err *e)
{
	char where[300];
	url_for_message(url, where, sizeof(where));
	const char *detail = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	char target[300];
	long os_errno = 0;
	curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os_errno);

	if (x->oversize || rc == CURLE_FILESIZE_EXCEEDED)
		return err_set(e, ERR_PARSE, "response from %s larger than %u MiB", where,
		               HTTP_BODY_MAX / (1024u * 1024u));
	if (header_too_large(rc, x))
		return err_set(
		    e, ERR_PARSE,
		    "answer from %s:%ld has a header larger than libcurl accepts (100 KB)", host,
		    port);
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(e, ERR_TIMEOUT, "timeout after %gs while waiting for %s (%s)",
		               h->run->timeout, service_name(h, url, host), where);
	case CURLE_COULDNT_RESOLVE_HOST:
		return err_set(e, ERR_NETWORK, "cannot resolve host name %s", host);
	case CURLE_COULDNT_RESOLVE_PROXY:
		return err_set(e, ERR_NETWORK, "cannot resolve the proxy: %s", detail);
	case CURLE_COULDNT_CONNECT:
		/* curl's text names the host it tried: ours, or a proxy's. */
		snprintf(target, sizeof(target), "%s port %ld ", host, port);
		if (os_errno != 0 && strstr(detail, target) != NULL)
			detail = strerror((int)os_errno);
		return err_set(e, ERR_NETWORK, "cannot connect to %s:%ld: %s", host, port, detail);
	case CURLE_PEER_FAILED_VERIFICATION:
		return err_set(
		    e, ERR_NETWORK,
		    "TLS certificate of %s:%ld not trusted: %s (trust: --cacert/--capath)", host,
		    port, detail);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return err_set(e, ERR_NETWORK, "TLS error with %s:%ld: %s", host, port, detail);
	case CURLE_PARTIAL_FILE:
		return err_set(e, ERR_NETWORK, "answer from %s:%ld truncated: %s", host, port,
		               detail);
	case CURLE_GOT_NOTHING:
		return err_set(e, ERR_NETWORK, "%s:%ld closed the connection without answering",
		               host, port);
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* libcurl refuses an HTTP/0.9 answer (no status line) this way. */
		if (strstr(detail, "HTTP/0.9") != NULL)
			return err_set(
			    e, ERR_NETWORK,
			    "%s:%ld did not answer with HTTP (no status line: HTTP/0.9 or "
			    "another protocol)",
			    host, port);
		return err_set(e, ERR_CONFIG, "unsupported URL %s: %s", where, detail);
	case CURLE_URL_MALFORMAT:
		return err_set(e, ERR_CONFIG, "malformed URL %s", where);
	case CURLE_OUT_OF_MEMORY:
		return err_set(e, ERR_INTERNAL, "out of memory talking to %s", host);
	default:
		return err_set(e, ERR_NETWORK, "HTTP request to %s:%ld failed: %s", host, port,
		               detail);
	}
}

static bool status_retryable(long status, unsigned flags)
{
	if (flags & HTTP_ACTION)
		return status == 429;
	if (status == 429 || status == 503 || status == 504)
		return true;
	if (flags & HTTP_RETRY_IMDS)
		return status == 404 || status == 410 || (status >= 500 && status <= 599);
	return false;
}

/* One attempt. 0 with resp filled, or -1 with e. */
static int perform_once(struct http_client *h, const char *url, struct curl_slist *hdrs,
                        const char *body, struct http_response *resp, const char *host, long port,
                        unsigned flags, const char *pin, struct err *e)
{
	CURL *c = h->curl;
	double left = run_left(h->run);
	if (left <= 0) {
		char where[300];
		url_for_message(url, where, sizeof(where));
		return err_set(e, ERR_TIMEOUT, "timeout after %gs while waiting for %s (%s)",
		               h->run->timeout, service_name(h, url, host), where);
	}
	long ms = (long)(left * 1000.0) + 1;
	char errbuf[CURL_ERROR_SIZE] = "";
	struct xfer x = {.resp = resp, .req_body = body};

	buf_free(&resp->body);
	resp->status = 0;
	resp->request_id[0] = resp->retry_after[0] = resp->location[0] = '\0';

	CURLcode rc = CURLE_OK;
	rc |= curl_easy_setopt(c, CURLOPT_URL, url);
	rc |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	rc |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	rc |= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	rc |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
	rc |= curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	rc |= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_cb);
	rc |= curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
	rc |= curl_easy_setopt(c, CURLOPT_DEBUGDATA, &x);
	rc |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	/* pin: the proxy url_allowed judged, and no other ("" none); NULL:
	 * libcurl's own choice (https: the proxy sees a tunnel, no more). */
	rc |= curl_easy_setopt(c, CURLOPT_PROXY, pin != NULL ? pin : h->opt->proxy);
	rc |= curl_easy_setopt(c, CURLOPT_NOPROXY, pin != NULL ? "" : NULL);
	/* libcurl resends a request whose reused connection died before any
	 * answer; on a fresh connection, never. */
	long own = (flags & HTTP_ACTION) ? 1L : 0L;
	rc |= curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, own);
	rc |= curl_easy_setopt(c, CURLOPT_FORBID_REUSE, own);
	if (rc != CURLE_OK)
		return err_set(e, ERR_INTERNAL, "libcurl refused a request option");

	rc = curl_easy_perform(c);
	h->requests++;
	double total = 0;
	if (curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total) == CURLE_OK)
		h->seconds += total;
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	if (rc != CURLE_OK)
		return transfer_error(h, rc, &x, errbuf, url, host, port, e);

	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (resp->body.data == NULL && buf_append(&resp->body, "", 0) < 0)
		return err_set(e, ERR_INTERNAL, "out of memory");
	if (h->run->verbose >= 3 && resp->body.len > 0)
		trace_body("< ", resp->body.data, resp->body.len);
	return 0;
}

/* The next backoff: doubled, capped, with up to 25 % jitter so that many
 * plugins throttled together do not come back together. */
double http_next_backoff(double *backoff)
{
	unsigned char r = 0;
	double wait = *backoff;
	if (random_bytes(&r, 1) == 0)
		wait *= 1.0 + (double)r / 1020.0;
	*backoff = *backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : *backoff * 2;
	return wait;
}

static int request(struct http_client *h, const char *method, const char *url,
                   const char *const *headers, const char *body, struct http_response *resp,
                   unsigned flags, struct err *e)
{
	char host[256];
	long port = 0;
	memset(resp, 0, sizeof(*resp));
	const char *plain_ok = (flags & HTTP_RETRY_IMDS) ? h->opt->imds_url : NULL;
	const char *pin = NULL;
	if (url_allowed(url, plain_ok, (flags & HTTP_NO_PROXY) ? NULL : &h->proxies, host,
	                sizeof(host), &port, &pin, e) < 0)
		return -1;
	if (set_method(h->curl, method, body) < 0)
		return err_set(e, ERR_INTERNAL, "unsupported HTTP method %s", method);

	double backoff = HTTP_BACKOFF_FIRST;
	double first = clock_mono();
	for (int attempt = 1;; attempt++) {
		struct curl_slist *hdrs =
		    build_headers(headers, strcmp(method, "POST") == 0 && body == NULL);
		if (hdrs == NULL)
			return err_set(e, ERR_INTERNAL, "out of memory");
		int rc = perform_once(h, url, hdrs, body, resp, host, port, flags, pin, e);
		curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
		curl_slist_free_all(hdrs);
		if (rc < 0) {
			http_response_free(resp);
			return -1;
		}
		if ((flags & HTTP_NO_RETRY) || !status_retryable(resp->status, flags))
			return 0;

		double asked = -1;
		if (resp->retry_after[0] != '\0' &&
		    retry_after_parse(resp->retry_after, clock_wall(), &asked) < 0)
			asked = -1;
		double wait = http_next_backoff(&backoff);
		if (asked > wait)
			wait = asked;
		double left = run_left(h->run);
		if (wait >= left) {
			char requested[64] = "no Retry-After";
			if (asked >= 0)
				snprintf(requested, sizeof(requested), "Retry-After %gs", asked);
			if (e != NULL)
				e->http_status = resp->status;
			err_set(e, ERR_THROTTLED,
			        "throttled by %s (HTTP %ld, %s): %d attempt%s in %.1fs; the next "
			        "wait of %.1fs does not fit the %.1fs left of the %gs timeout",
			        service_name(h, url, host), resp->status, requested, attempt,
			        attempt == 1 ? "" : "s", clock_mono() - first, wait,
			        left > 0 ? left : 0, h->run->timeout);
			http_response_free(resp);
			return -1;
		}
		run_say(h->run, 2, "HTTP %ld from %s, retrying in %.1fs", resp->status, host, wait);
		clock_sleep(wait);
	}
}

/* Every failure of the transport leaves here: libcurl's own words quote
 * the proxy as it was given, password included, and this is the one place
 * they enter a message. */
int http_request(struct http_client *h, const char *method, const char *url,
                 const char *const *headers, const char *body, struct http_response *resp,
                 unsigned flags, struct err *e)
{
	int rc = request(h, method, url, headers, body, resp, flags, e);
	if (rc < 0 && e != NULL)
		redact_userinfo(e->msg);
	return rc;
}
