# SPDX-License-Identifier: GPL-3.0-or-later
# portability.mk - `make portability`: build with WERROR=1 and run the unit
# and integration tests in Debian 11, 12 and 13 chroots made with
# debootstrap (tests/portability/run.sh; root). Included by the top-level
# Makefile; not part of `make check`.
#   make portability
#   make portability PORTABILITY_SUITES="bullseye trixie" PORTABILITY_STEPS="build unit"
# The prepared chroots are cached in PORTABILITY_CACHE (default
# /var/cache/check-entra-sync-portability).
ifndef CES_PORTABILITY_MK
CES_PORTABILITY_MK := 1

.PHONY: portability

portability:
	tests/run-all.sh portability

endif
