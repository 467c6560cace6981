/* Decision lines of the event handler and --start for syslog. */
#ifndef CES_EVENTLOG_H
#define CES_EVENTLOG_H

/* Sends "<PRI>Mmm dd hh:mm:ss check_entra_sync[PID]: line" (facility LOG_USER,
 * severity prio, e.g. LOG_NOTICE) to /dev/log, as syslog(3) would, but never
 * blocks: a syslog daemon that stopped reading, or none at all, costs the
 * line, not the run. */
void eventlog(int prio, const char *line);

#endif
