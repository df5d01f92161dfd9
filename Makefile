# Benchmarks: `make bench` runs every case three times (the cluster cases too: one wshub node against three over
# Redis; `bench/run.py --full --only cluster` reruns only those) and rewrites docs/benchmarks.md and docs/bench/*.svg;
# `make bench-quick` runs a short round (under two minutes) and writes build/bench-quick.md.
# Soak: `make soak` runs the load generator's soak scenario against the release build for ten minutes
# (SOAK_SECONDS=60 for one minute) and prints its table; docs/benchmarks.md has the recorded run.
# Screenshot: `make screenshot` rewrites docs/live-page.png from the live page's browser test.
# Debian package: `make deb` is scripts/build-deb.sh (build/deb/wshub_<version>_amd64.deb, docs/packaging.md).
.PHONY: bench bench-quick bench-setup soak release-build screenshot deb

SOAK_SECONDS ?= 600

bench: bench-setup
	/usr/bin/python3 bench/run.py --full

bench-quick: bench-setup
	/usr/bin/python3 bench/run.py --quick

soak: release-build
	/usr/bin/python3 bench/soak.py --seconds $(SOAK_SECONDS)

screenshot: release-build
	bash scripts/setup.sh test
	cd tests/e2e && WSHUB_BINARY=$(CURDIR)/build/release/wshub WSHUB_SCREENSHOT=$(CURDIR)/docs/live-page.png \
	  /usr/bin/python3 -m pytest -q -p no:cacheprovider test_live_page.py -k only_its_own_traffic

# The peers (if bench/peers is there), gnuplot for the plots and redis-server for the cluster cases, on top of the
# release build.
bench-setup: release-build
	bash scripts/setup.sh build gnuplot-nox redis-server
	if [ -f bench/peers/install.sh ]; then bash bench/peers/install.sh; fi

# What the build needs (scripts/setup.sh), and the release build of wshub and the load generator.
release-build:
	bash scripts/setup.sh build
	cmake --preset release
	cmake --build --preset release --target wshub wshub-loadgen

deb:
	scripts/build-deb.sh
