/* The modes other than check. Each returns the process exit status. */
#ifndef CES_MODES_H
#define CES_MODES_H

#include <stdio.h>

struct config;
struct graph_client;

/* --event-handler (SPEC section 6). g may be used only when acting. */
int mode_event_handler(const struct config *c, struct graph_client *g, FILE *out);
/* --start -j JOB: operator start, prints Graph's answer. */
int mode_start(const struct config *c, struct graph_client *g, FILE *out);
/* --list --format=text|json|icinga2|nagios. */
int mode_list(const struct config *c, struct graph_client *g, FILE *out);

/* True when the handler must act on this service state (pure, no Graph):
 * CRITICAL and HARD, or CRITICAL, SOFT and attempt == on_soft_attempt. */
int handler_should_act(const struct config *c);

#endif
