// Package faults is the fault matrix of the suite: each fault is injected
// from outside into the real suite (the compiled e2e test binary, run as a
// user runs it, on one short spec) and the test checks that the run ends
// within the fault's bound with a one-line reason, that results.json and
// junit.xml keep the samples measured before the fault and say what went
// wrong, and that nothing is left behind on the machine.
//
// The tests need root, netperf and iproute2 (make deps); they are run by
// make faults (part of make test) and are not specs of the suite itself.
// The table and the measured bounds are in docs/faults.md.
package faults
