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
ACTIONLINT ?= github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

export PODPERF_CWD := $(CURDIR)
export ARTIFACTS

# Kubernetes: the kubeconfig of the offline kind cluster when it exists, else the usual one.
KIND_OFFLINE_DIR ?= $(CURDIR)/_kind-offline
KUBECONFIG ?= $(if $(wildcard $(KIND_OFFLINE_DIR)/kubeconfig),$(KIND_OFFLINE_DIR)/kubeconfig,$(HOME)/.kube/config)
export KIND_OFFLINE_DIR

.PHONY: help deps unit test e2e-local report bench bench-gate lint clean-local e2e kind-up cilium kind-down kind-offline kind-offline-down \
	cilium-routing image suite-image incluster faults faults-kube soak fuzz

help:
	@echo "make test       unit tests + the fault matrix + the four specs on the local target, short runs"
	@echo "make faults     the fault matrix on the local target (docs/faults.md), about 2 min"
	@echo "make faults-kube  the Kubernetes rows of the fault matrix, on the offline kind cluster"
	@echo "make soak       SOAK_RUNS (50) short runs on the local target, checking nothing leaks; SOAK_KIND=1: 10 on KUBECONFIG's cluster"
	@echo "make e2e-local  the four specs on the local target at default settings"
	@echo "make report     report.md, report.html, results.csv and charts from RESULTS (default \$$ARTIFACTS/results.json)"
	@echo "make bench      the suite measured on itself (local target): overhead, aggregation, detection, time"
	@echo "make bench-gate the gate proof: 40 rounds of healthy and cut runs, hours, resumable (docs/bench-gate.json)"
	@echo "make lint       gofmt, go vet, staticcheck, shellcheck, actionlint (.github/workflows), the Prow config test"
	@echo "make fuzz       each fuzz target (netperf output, interim results, baseline and tolerance files) for FUZZTIME (30s)"
	@echo "make deps       install netperf, iproute2 (Debian, as root)"
	@echo "make e2e        the four specs on the cluster of KUBECONFIG ($(KUBECONFIG))"
	@echo "make kind-up    kind cluster with Cilium host routing (needs a registry); make cilium installs Cilium"
	@echo "make kind-offline  kind cluster built entirely on this machine (no registry); make kind-offline-down"
	@echo "                   CNI=cilium: with Cilium (eBPF host routing) instead of ptp + kube-proxy"
	@echo "make cilium-routing MODE=bpf|legacy  switch that Cilium between eBPF and legacy host routing"
	@echo "make suite-image  the suite as an image, built without a registry, saved to \$$KIND_OFFLINE_DIR/images/suite.tar"
	@echo "make incluster    the suite image as a Job in the offline kind cluster; results to \$$ARTIFACTS/incluster"

deps:
	@bash scripts/install-deps.sh

# (libxml2-utils) checks junit.xml against framework/report/junit.xsd, in the
# unit tests and after every run; both say so and go on when it is missing.
unit:
	$(GO) test ./framework/... ./manifests/... ./cmd/...

# The suite at short durations: proves the whole path works, not a measurement to quote.
# An undecided verdict warns instead of failing here: two 3 s samples decide little.
# After the run the suite validates results.json against manifests/results.schema.json
# and junit.xml against the JUnit schema, and fails when either does not validate.
test: deps unit faults
	$(GINKGO) run -v --timeout=30m $(GINKGO_FLAGS) ./e2e -- --target=local --duration=3s --samples=2 --max-samples=4 \
		--inconclusive=warn --report-dir=$(ARTIFACTS) $(E2E_FLAGS)

# The fault matrix (faults/, docs/faults.md): each fault injected into a real run of the
# suite on the local target, its bound, message, results and clean-up checked.
faults: deps
	$(GO) test -count=1 -v -timeout=15m ./faults/

# The Kubernetes rows of the fault matrix, on the offline kind cluster (make kind-offline):
# a missing image, CPU short, a pod never Ready, a node going NotReady, the API server away
# for 30 s, SIGTERM, a second run. About 10 minutes.
faults-kube:
	@test -f "$(KUBECONFIG)" || { echo "no kubeconfig at $(KUBECONFIG): run make kind-offline first"; exit 1; }
	PODPERF_FAULTS_KUBECONFIG=$(KUBECONFIG) $(GO) test -count=1 -v -timeout=30m -run '^TestKube' ./faults/

# Short runs back to back on the local target (SOAK_KIND=1: the Kubernetes target of KUBECONFIG),
# failing when anything is left behind or grows; figures in $(ARTIFACTS)/soak.json.
SOAK_RUNS ?=
SOAK_KIND ?= 0
soak: deps
	SOAK_RUNS=$(SOAK_RUNS) SOAK_KIND=$(SOAK_KIND) KUBECONFIG=$(KUBECONFIG) bash scripts/soak.sh

e2e-local: deps
	$(GINKGO) run -v --timeout=60m $(GINKGO_FLAGS) ./e2e -- --target=local --report-dir=$(ARTIFACTS) $(E2E_FLAGS)

# The reports of a results.json, this run's or an older one: make report RESULTS=path/results.json.
RESULTS ?= $(ARTIFACTS)/results.json
report:
	$(GO) run ./cmd/podperf report $(RESULTS)

# The suite measured on itself; writes $(ARTIFACTS)/bench.json. Long: about
# 2 h at the defaults; e.g. BENCH_FLAGS="-runs 10 -duration 5s" for a shorter look.
BENCH_FLAGS ?=
bench: deps
	$(GO) run ./cmd/podperf-bench -out $(ARTIFACTS)/bench.json $(BENCH_FLAGS)

# The gate proof (docs/bench.md#the-gate-proof): hours, resumable. Its rounds
# are kept in the repository, so a rerun anywhere continues them.
GATE_ROUNDS ?= 40
bench-gate: deps
	$(GO) run ./cmd/podperf-bench -parts gate -rounds $(GATE_ROUNDS) -out docs/bench-gate.json $(BENCH_FLAGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	@command -v shellcheck >/dev/null || { echo "shellcheck not found: run make deps"; exit 1; }
	shellcheck -x $$(git ls-files --cached --others --exclude-standard 'scripts/*.sh' 'images/*.sh' scripts/kind-offline/runc-wrapper) \
		manifests/podperf.env images/suite/suite.env
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(ACTIONLINT) -color=false
	cd ci/prow && $(GO) vet ./... && $(GO) test -count=1 ./...

# Every fuzz target of the parsers and loaders, each for FUZZTIME (a time, or a count of
# inputs such as 10000x, as go test -fuzztime takes), one after another.
# A crasher is written to the package's testdata/fuzz/<FuzzName>/ and fails the run;
# keep it there as a seed once it is fixed.
FUZZTIME ?= 30s
fuzz:
	@set -e; for dir in $$(grep -l '^func Fuzz' $$(find framework -name '*_test.go') | xargs -n1 dirname | sort -u); do \
		for fn in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$dir/*_test.go); do \
			echo "fuzz: $$fn in ./$$dir for $(FUZZTIME)"; \
			$(GO) test ./$$dir -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME); \
		done; \
	done

# Removes namespaces a killed local run left behind (a new run does this too).
clean-local:
	@for ns in $$(ip netns list | awk '/^podperf-/ {print $$1}'); do \
		for p in $$(ip netns pids $$ns); do kill -9 $$p; done; ip netns delete $$ns && echo "removed $$ns"; done

# The four specs on a cluster: pods on two nodes through the upstream e2e framework.
# With --kind-cluster in E2E_FLAGS the suite makes its own throwaway cluster: no kubeconfig needed.
e2e:
	@test -f "$(KUBECONFIG)" || echo "$(E2E_FLAGS)" | grep -q -- --kind-cluster || { echo "no kubeconfig at $(KUBECONFIG): run make kind-offline (or make kind-up), set KUBECONFIG, or pass E2E_FLAGS=--kind-cluster=NAME"; exit 1; }
	$(GINKGO) run -v --timeout=90m $(GINKGO_FLAGS) ./e2e -- --target=kubernetes $(if $(findstring --kind-cluster,$(E2E_FLAGS)),,--kubeconfig=$(KUBECONFIG)) \
		--report-dir=$(ARTIFACTS) $(E2E_FLAGS)

# kind with a registry: Cilium's host-routing configuration (manifests/cilium/values.yaml).
kind-up:
	bash scripts/kind-up.sh cilium
cilium:
	bash scripts/cilium-install.sh
kind-down:
	bash scripts/kind-down.sh

# kind without a registry: every binary and image built here (scripts/kind-offline/README.md).
# CNI=ptp: ptp + routes and kube-proxy; CNI=cilium: Cilium from manifests/cilium/values.yaml.
# FAMILY=dual (CNI=ptp): IPv4 and IPv6, for the IPv6 path (kind-config/kind-offline-dual-stack.yaml).
CNI ?= ptp
FAMILY ?= ipv4
kind-offline:
	KIND_OFFLINE_CNI=$(CNI) KIND_OFFLINE_FAMILY=$(FAMILY) bash scripts/kind-offline/up.sh
kind-offline-down:
	bash scripts/kind-offline/down.sh
# Host routing of the offline cluster's Cilium: MODE=bpf (eBPF host routing) or MODE=legacy.
MODE ?=
cilium-routing:
	bash scripts/kind-offline/cilium-routing.sh $(MODE)

# The netperf image from manifests/netperf/Dockerfile (needs a registry for the base image).
image:
	bash scripts/build-netperf-image.sh

# The suite as an image (images/suite), built without a registry on the netperf image, smoke-tested
# and saved for kind load image-archive (docs/ci.md).
suite-image:
	bash scripts/build-suite-image.sh

# The suite image as a Job under the least-privilege role of manifests/incluster in the offline kind
# cluster; copies the results to $(ARTIFACTS)/incluster and deletes what it created.
incluster:
	bash scripts/incluster-run.sh
