# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# A private PostgreSQL server for the end-to-end tests of Icinga Director and
# the Zabbix server (sourced after lib.sh, not run).

# pg_bin: the directory of Debian's newest PostgreSQL server binaries.
pg_bin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -n "$d" ] && [ -x "$d/postgres" ] && echo "$d"
}

# pg_start: a cluster of RUN_USER's own under $T/pg, reached only through its
# socket directory PG_SOCK (no TCP), port PG_PORT (it names the socket),
# superuser "e2e", no password; fsync off, since it lives as long as the
# test. Returns 1 when it does not answer within 30 s.
pg_start() {
	local bin i
	bin=$(pg_bin) || { diag "no PostgreSQL server binaries under /usr/lib/postgresql"; return 1; }
	PG_SOCK="$T/pg-sock"
	PG_PORT=$(free_port)
	mkdir -p "$T/pg" "$PG_SOCK"
	chmod 0700 "$T/pg"
	own_by_run_user "$T/pg" "$PG_SOCK"
	"${RUN_AS[@]}" "$bin/initdb" -D "$T/pg/data" -U e2e --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$T/pg/initdb.log" 2>&1 || { diag "initdb failed:" "$(tail -5 "$T/pg/initdb.log")"; return 1; }
	spawn "$T/pg/postgres.log" "${RUN_AS[@]}" "$bin/postgres" -D "$T/pg/data" -p "$PG_PORT" \
		-k "$PG_SOCK" -c listen_addresses= -c fsync=off -c synchronous_commit=off -c full_page_writes=off
	for ((i = 0; i < 300; i++)); do
		psql_e2e postgres -c 'select 1' >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	diag "postgres did not answer:" "$(tail -5 "$T/pg/postgres.log")"
	return 1
}

# psql_e2e DB ARGS...: psql on the private server, quiet, stopping at the first error.
psql_e2e() {
	local db=$1
	shift
	psql -h "$PG_SOCK" -p "$PG_PORT" -U e2e -d "$db" -q -X -v ON_ERROR_STOP=1 "$@"
}
