# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# The files every test's Nagios needs (sourced by tests/e2e/lib.sh and
# tests/package/test_package.sh, not run).

# nagios_objects HOST ALIAS: on stdout, the objects every test's Nagios
# needs: timeperiod 24x7, contact e2e (notifications off, command e2e-none)
# and HOST (no active checks, no notifications, contact e2e).
nagios_objects() {
	cat <<EOF
define timeperiod {
	timeperiod_name	24x7
	alias		always
	sunday		00:00-24:00
	monday		00:00-24:00
	tuesday		00:00-24:00
	wednesday	00:00-24:00
	thursday	00:00-24:00
	friday		00:00-24:00
	saturday	00:00-24:00
}
define contact {
	contact_name			e2e
	alias				e2e
	host_notifications_enabled	0
	service_notifications_enabled	0
	host_notification_period	24x7
	service_notification_period	24x7
	host_notification_options	n
	service_notification_options	n
	host_notification_commands	e2e-none
	service_notification_commands	e2e-none
}
define command {
	command_name	e2e-none
	command_line	/bin/true
}
define host {
	host_name		$1
	alias			$2
	address			127.0.0.1
	max_check_attempts	1
	check_period		24x7
	active_checks_enabled	0
	notifications_enabled	0
	contacts		e2e
}
EOF
}

# nagios_files N PLUGIN_DIR DEFS_DIR USER GROUP [LINE...]: N/resource.cfg
# ($USER1$ is PLUGIN_DIR) and N/nagios.cfg: DEFS_DIR's commands.cfg and
# services.cfg (unchanged) and N/objects.cfg, every file of the daemon under
# N, run as USER:GROUP, no retention, checks scheduled by the second, results
# reaped every second, notifications off, event handlers on and logged; then
# each LINE (a further cfg_file=, or a setting that replaces one above:
# Nagios reads the file in order and the last value counts).
nagios_files() {
	local N=$1 plugins=$2 defs=$3 user=$4 group=$5
	shift 5
	mkdir -p "$N/checkresults"
	# shellcheck disable=SC2016 # $USER1$ is a Nagios macro, not a shell variable
	printf '$USER1$=%s\n' "$plugins" >"$N/resource.cfg"
	{
		cat <<EOF
cfg_file=$defs/commands.cfg
cfg_file=$defs/services.cfg
cfg_file=$N/objects.cfg
resource_file=$N/resource.cfg
log_file=$N/nagios.log
object_cache_file=$N/objects.cache
precached_object_file=$N/objects.precache
status_file=$N/status.dat
status_update_interval=1
temp_file=$N/nagios.tmp
temp_path=$N
lock_file=$N/nagios.lock
check_result_path=$N/checkresults
command_file=$N/nagios.cmd
query_socket=$N/nagios.qh
state_retention_file=$N/retention.dat
retain_state_information=0
debug_file=$N/debug.log
debug_level=0
nagios_user=$user
nagios_group=$group
check_external_commands=1
use_syslog=0
log_notifications=0
log_event_handlers=1
log_initial_states=1
log_passive_checks=0
enable_notifications=0
enable_event_handlers=1
enable_flap_detection=0
execute_service_checks=1
execute_host_checks=0
interval_length=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
service_interleave_factor=1
max_service_check_spread=1
check_result_reaper_frequency=1
max_check_result_reaper_time=1
service_check_timeout=60
event_handler_timeout=30
enable_environment_macros=0
check_for_updates=0
illegal_macro_output_chars=\`~\$&|'"<>
EOF
		[ $# -eq 0 ] || printf '%s\n' "$@"
	} >"$N/nagios.cfg"
}
