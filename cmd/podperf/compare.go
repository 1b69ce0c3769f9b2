package main

import "io"

// runCompare is the hook for comparing two runs (a baseline run and a new
// one, figure by figure); it is not implemented yet.
func runCompare(_ []string, _ io.Writer) error {
	return errNotImplemented
}
