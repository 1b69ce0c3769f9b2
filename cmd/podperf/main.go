// Command podperf works on what a podperf run left behind. Subcommands:
//
//	podperf report RESULTS.json [--out DIR] [--github-summary]   the report, CSV and charts of a results.json
//	podperf compare A.json B.json [--tolerance 5%] [--format text|markdown|json] [--strict] [--force]
//	                                                            the two runs lined up metric by metric (docs/compare.md)
//
// Errors are printed on one line; the exit status is 1 for an error and 2
// for a usage error or a subcommand that does not exist yet. compare exits 1
// when a metric regressed and 2 when it could not compare.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// command is one subcommand: run gets the arguments after its name.
type command struct {
	name, args, summary string
	run                 func(args []string, stdout io.Writer) error
}

var commands = []command{
	{"report", "RESULTS.json [--out DIR] [--github-summary]", "write report.md, report.html, summary.md, results.csv and charts/ from a results.json", runReport},
	{"compare", "A.json B.json [--tolerance 5%] [--format F]", "line up two runs metric by metric: regressed, improved, no change or inconclusive", runCompare},
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// parseArgs parses a subcommand's flags, which may come before or after its
// files, and returns the files.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, &usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return files, nil
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// errNotImplemented marks a subcommand that is a documented hook only.
var errNotImplemented = errors.New("not implemented yet")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command with its streams, for tests: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(args[1:], stdout)
		if err == nil {
			return 0
		}
		// The one place errors are flattened: everything below keeps its cause.
		fmt.Fprintf(stderr, "podperf %s: %s\n", c.name, strings.Join(strings.Fields(err.Error()), " "))
		var ue *usageError
		if errors.As(err, &ue) || errors.Is(err, errNotImplemented) {
			if ue != nil {
				fmt.Fprintf(stderr, "usage: podperf %s %s\n", c.name, c.args)
			}
			return 2
		}
		if c.name == "compare" {
			return compareStatus(err)
		}
		return 1
	}
	fmt.Fprintf(stderr, "podperf: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: podperf COMMAND [ARGS]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %-43s %s\n", c.name, c.args, c.summary)
	}
}
