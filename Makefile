# podperf: cross-node pod network benchmark as a Ginkgo e2e suite.
# Every target that runs the suite installs what the local target needs first.

GO        ?= go
GINKGO    ?= $(GO) tool ginkgo
ARTIFACTS ?= $(CURDIR)/_artifacts
# Flags for the suite itself (after --), e.g. E2E_FLAGS="--samples=5 --tolerance-mode=absolute".
E2E_FLAGS ?=
# Flags for ginkgo (before the package), e.g. GINKGO_FLAGS="--label-filter=rr".
GINKGO_FLAGS ?=
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

export PODPERF_CWD := $(CURDIR)
export ARTIFACTS

.PHONY: help deps unit test e2e-local lint clean-local

help:
	@echo "make test       unit tests + the four specs on the local target, short runs"
	@echo "make e2e-local  the four specs on the local target at default settings"
	@echo "make lint       gofmt, go vet, staticcheck"
	@echo "make deps       install netperf, iproute2 (Debian, as root)"

deps:
	@bash scripts/install-deps.sh

unit:
	$(GO) test ./framework/... ./manifests/...

# The suite at short durations: proves the whole path works, not a measurement to quote.
test: deps unit
	$(GINKGO) run -v --timeout=30m $(GINKGO_FLAGS) ./e2e -- --target=local --duration=3s --samples=2 \
		--report-dir=$(ARTIFACTS) $(E2E_FLAGS)

e2e-local: deps
	$(GINKGO) run -v --timeout=60m $(GINKGO_FLAGS) ./e2e -- --target=local --report-dir=$(ARTIFACTS) $(E2E_FLAGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# Removes namespaces a killed local run left behind (a new run does this too).
clean-local:
	@for ns in $$(ip netns list | awk '/^podperf-/ {print $$1}'); do \
		for p in $$(ip netns pids $$ns); do kill -9 $$p; done; ip netns delete $$ns && echo "removed $$ns"; done
