/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Decision lines of the event handler and --start for syslog. */
#ifndef CES_EVENTLOG_H
#define CES_EVENTLOG_H

/* Where syslog listens. Tests point the plugin elsewhere with the documented
 * test seam CHECK_ENTRA_SYNC_SYSLOG_SOCKET (options.c). */
#define EVENTLOG_SOCKET "/dev/log"

/* Sends "<PRI>Mmm dd hh:mm:ss check_entra_sync[PID]: line" (facility LOG_USER,
 * severity prio, e.g. LOG_NOTICE) to the datagram socket at socket_path, as
 * syslog(3) would to /dev/log, but never blocks: a syslog daemon that stopped
 * reading, or none at all, costs the line, not the run. */
void eventlog(const char *socket_path, int prio, const char *line);

#endif
