# LitSim: `make run` runs the default scenario, `make test` runs the whole test suite.
# Both first install the C libraries (libsecp256k1, GMP) when pkg-config cannot find them.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := libsecp256k1-dev libgmp-dev pkg-config

.PHONY: deps build release run test explore-ci test-python bench bench-check bench-baseline bench-quick reports clean

deps:
	@if ! pkg-config --exists libsecp256k1 gmp 2>/dev/null; then \
		echo "Installing $(APT_PACKAGES) (libsecp256k1 or GMP not found by pkg-config)"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The default job: Lit's Naga mainnet size under a steady signing load.
run: release
	.build/release/litsim run Scenarios/naga-10.yaml

# Unit and command tests, then the fault-tolerance suite (Scenarios/ci) with its expectations.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	.build/debug/litsim check Scenarios/ci/*.yaml Scenarios/ci/attacks/*.yaml --out .build/ci-runs
	.build/debug/litsim check Scenarios/ci/network-framing.yaml --seeds 1...40 --jobs 2 --junit .build/ci-framing/junit.xml --out .build/ci-framing
	$(MAKE) explore-ci
	$(MAKE) test-python

# python/litsim_dask (Dask) on a LocalCluster of 2 workers, and the Slurm and Kubernetes jobs
# `litsim sweep --emit` writes; in a virtual environment under .build (dask, pandas and
# kubernetes-validate from PyPI, installed once).
PYENV := .build/pyenv
$(PYENV)/.installed: python/litsim_dask/pyproject.toml
	test -x $(PYENV)/bin/python || python3 -m venv $(PYENV)
	$(PYENV)/bin/pip install -q -e python/litsim_dask kubernetes-validate
	touch $@

test-python: $(PYENV)/.installed
	PATH="$(CURDIR)/$(PYENV)/bin:$$PATH" $(PYENV)/bin/python -m unittest discover -s python/litsim_dask/tests

# A short exploration on every change (about a minute, fixed seeds so it is the same each
# time): the default rules must survive it; the unsafe `threshold` rule must be caught
# (exit 1) and shrunk to a file that reproduces it (explore checks that itself); Lit Actions
# must survive theirs (20 s).
explore-ci:
	.build/debug/litsim explore Scenarios/explore/default-rules.yaml --seeds 1...1500 --jobs 2 --out .build/explore/default-rules
	.build/debug/litsim explore Scenarios/explore/dkg-threshold-rule.yaml --seeds 1...250 --jobs 2 --out .build/explore/dkg-threshold-rule; test $$? -eq 1
	ls .build/explore/dkg-threshold-rule/minimal-dkg.agreement-*.yaml
	.build/debug/litsim explore Scenarios/explore/actions.yaml --seeds 1...100 --jobs 2 --out .build/explore/actions

# Benchmarks/ is its own package (ordo-one/benchmark): `bench` runs its suites, `bench-check`
# fails on a regression against Benchmarks/Baselines, `bench-baseline` records new ones.
bench: deps
	cd Benchmarks && $(SWIFT) package benchmark

bench-check: deps
	cd Benchmarks && $(SWIFT) package benchmark thresholds check --path Baselines --no-progress

bench-baseline: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark thresholds update --path Baselines --no-progress

# The quick path: `litsim bench` tables.
bench-quick: release
	.build/release/litsim bench crypto
	.build/release/litsim bench engine
	.build/release/litsim bench dkg
# Regenerates the committed result sets: benchmark figures and example scenario outputs.
reports: release
	mkdir -p reports/benchmarks reports/scenarios
	.build/release/litsim bench crypto > reports/benchmarks/crypto.txt
	.build/release/litsim bench engine > reports/benchmarks/engine.txt
	.build/release/litsim bench dkg > reports/benchmarks/dkg.txt
	.build/release/litsim bench signing > reports/benchmarks/signing.txt
	.build/release/litsim calibrate --out reports/benchmarks/calibration-latest.json
	for scenario in Scenarios/*.yaml; do \
		name=$$(basename $$scenario .yaml); \
		[ $$name = sweep-n-threshold ] && continue; \
		.build/release/litsim run $$scenario --quiet --trace-limit 0 --out .build/reports/$$name || true; \
		cp .build/reports/$$name/summary.json reports/scenarios/$$name.summary.json; \
	done
	cp .build/reports/naga-10/report.html reports/scenarios/naga-10.report.html
	cp .build/reports/report-demo/report.html reports/scenarios/report-demo.report.html

clean:
	rm -rf .build
