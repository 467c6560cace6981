/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bare_get URL TOKENFILE [--cainfo FILE | --capath DIR]
 * bare_get --init-only
 * The floor of the cost targets (doc/design.md, "Cost"): one libcurl GET with the same
 * Authorization header the plugin sends, nothing else. Without a trust option libcurl's built-in
 * default (Debian: the CA bundle) is used. Exit 0 on HTTP 200, 2 otherwise.
 * --init-only stops after curl_global_init: the cost of starting a process
 * that links libcurl, before any request (the first row of that table). */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t sink(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--init-only") == 0)
		return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : 2;
	char tok[16384] = "Authorization: Bearer ";
	size_t pre = strlen(tok);
	FILE *f = argc >= 3 ? fopen(argv[2], "r") : NULL;
	if (f == NULL || fgets(tok + pre, (int)(sizeof(tok) - pre), f) == NULL)
		return 3;
	fclose(f);
	tok[strcspn(tok, "\r\n")] = '\0';

	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, tok);
	curl_easy_setopt(c, CURLOPT_URL, argv[1]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	if (argc == 5 && strcmp(argv[3], "--cainfo") == 0) {
		curl_easy_setopt(c, CURLOPT_CAINFO, argv[4]);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	} else if (argc == 5 && strcmp(argv[3], "--capath") == 0) {
		curl_easy_setopt(c, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(c, CURLOPT_CAPATH, argv[4]);
	}
	long code = 0;
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	if (rc != CURLE_OK)
		fprintf(stderr, "bare_get: %s\n", curl_easy_strerror(rc));
	return rc == CURLE_OK && code == 200 ? 0 : 2;
}
