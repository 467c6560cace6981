/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "eventlog.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* syslog(3) sends with a blocking send(): a daemon whose queue is full would
 * stall the handler past its deadline. Hence one non-blocking datagram. */
void eventlog(const char *socket_path, int prio, const char *line)
{
	char stamp[32] = "";
	char msg[2300];
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm) != NULL)
		strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	int len = snprintf(msg, sizeof(msg), "<%d>%s %s[%ld]: %s", LOG_USER | (prio & LOG_PRIMASK),
	                   stamp, PLUGIN_NAME, (long)getpid(), line);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(msg))
		len = (int)sizeof(msg) - 1;

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	str_copy(sa.sun_path, sizeof(sa.sun_path), socket_path);
	(void)sendto(fd, msg, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&sa,
	             sizeof(sa));
	close(fd);
}
