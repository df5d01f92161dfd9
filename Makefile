# Benchmarks: `make bench` runs every case three times and rewrites docs/benchmarks.md and docs/bench/*.svg;
# `make bench-quick` runs a short round (under two minutes) and writes build/bench-quick.md.
.PHONY: bench bench-quick bench-setup

bench: bench-setup
	/usr/bin/python3 bench/run.py --full

bench-quick: bench-setup
	/usr/bin/python3 bench/run.py --quick

# What the build needs (scripts/setup.sh), the release build of wshub and the load generator, the peers (if bench/peers is there) and gnuplot for the plots.
bench-setup:
	bash scripts/setup.sh build gnuplot-nox
	cmake --preset release
	cmake --build --preset release --target wshub wshub-loadgen
	if [ -f bench/peers/install.sh ]; then bash bench/peers/install.sh; fi
