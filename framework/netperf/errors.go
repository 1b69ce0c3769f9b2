package netperf

import (
	"fmt"
	"strings"
	"syscall"
	"unicode/utf8"
)

// ErrorKind says what went wrong in terms a user can act on.
type ErrorKind string

const (
	ErrNoNetserver  ErrorKind = "no-netserver"    // control connection refused or timed out
	ErrDataConn     ErrorKind = "data-connection" // the test's data connection failed or was reset
	ErrUnknownTest  ErrorKind = "unknown-test"    // this netperf build lacks the test
	ErrBadSelector  ErrorKind = "bad-selector"    // an -k output selector is unknown
	ErrNotInstalled ErrorKind = "not-installed"   // netperf is not on the client's PATH
	ErrNoOutput     ErrorKind = "no-output"       // netperf exited without results
	ErrBadOutput    ErrorKind = "bad-output"      // results present but not parseable
	ErrNoData       ErrorKind = "no-data"         // netperf exited 0 but the data connection moved nothing
	ErrTimeout      ErrorKind = "timeout"         // netperf ran past its length and grace (see Limit) and was stopped
	ErrExit         ErrorKind = "exit"            // non-zero exit with no recognised message
)

// Error is a netperf failure as one line: what happened and what to check,
// and the error underneath when there is one.
type Error struct {
	Kind ErrorKind
	Msg  string
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.Err == nil:
		return e.Msg
	case e.Msg == "":
		return e.Err.Error()
	}
	return e.Msg + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// hints maps netperf's own messages (stable across 2.6/2.7) to an error kind and advice.
var hints = []struct {
	substr string
	kind   ErrorKind
	advice string
}{
	{"are you sure there is a netserver listening", ErrNoNetserver, "no netserver answered on the control port: check it runs on the server side and that the port is open"},
	{"could not establish the control connection", ErrNoNetserver, "no netserver answered on the control port: check it runs on the server side and that the port is open"},
	{"is unknown to this netperf", ErrUnknownTest, "this netperf build does not know the test"},
	{"Could not open output selection file", ErrBadSelector, "netperf does not know an output selector: netperf 2.6 or newer is required"},
	{"send_data failed", ErrDataConn, "the data connection broke during the test (netserver gone, or a firewall on the data ports)"},
	{"data send error", ErrDataConn, "the data connection broke during the test (netserver gone, or a firewall on the data ports)"},
	{"data_recv error", ErrDataConn, "the data connection broke during the test (netserver gone, or a firewall on the data ports)"},
	{"recv_response", ErrDataConn, "the netserver stopped answering on the control connection during the test"},
	{"connect failed", ErrDataConn, "the data connection could not be opened: check the data ports are open on the server"},
	{"executable file not found", ErrNotInstalled, "netperf is not installed on the client side"},
	{"No such file or directory", ErrNotInstalled, "netperf is not installed on the client side"},
}

// classify turns netperf's combined output and exit code into a *Error, or nil
// when nothing in it is an error.
func classify(out string, exitCode int) error {
	for _, h := range hints {
		if strings.Contains(out, h.substr) {
			return &Error{Kind: h.kind, Msg: h.advice + ": " + firstLine(out, h.substr)}
		}
	}
	switch exitCode {
	case 0:
		return nil
	case 128 + int(syscall.SIGPIPE):
		// netperf does not ignore SIGPIPE: a send on a connection the server
		// side reset kills it before it can say anything.
		return &Error{Kind: ErrDataConn, Msg: "netperf was killed by SIGPIPE: the server side reset the connection while netperf sent (netserver gone, or the connection cut)" + excerpt(out)}
	}
	return &Error{Kind: ErrExit, Msg: fmt.Sprintf("netperf exited with code %d%s", exitCode, excerpt(out))}
}

// Check interprets a finished netperf process: its output and exit code. It
// returns the parsed result or a *Error.
func Check(out string, exitCode int) (Result, error) {
	if err := classify(out, exitCode); err != nil {
		return Result{}, err
	}
	return Parse(out)
}

// firstLine is the line of out that holds substr, clipped.
func firstLine(out, substr string) string {
	for _, l := range strings.FieldsFunc(out, isLineBreak) {
		if strings.Contains(l, substr) {
			return clip(strings.TrimSpace(l))
		}
	}
	return ""
}

func isLineBreak(r rune) bool { return r == '\n' || r == '\r' }

// clip cuts s to at most 200 bytes, at a rune boundary, so that garbled
// output cannot make a message longer than a line.
func clip(s string) string {
	if len(s) <= 200 {
		return s
	}
	i := 200
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func excerpt(out string) string {
	out = strings.TrimSpace(out)
	if out == "" {
		return " (no output)"
	}
	if i := strings.IndexAny(out, "\r\n"); i >= 0 {
		out = out[:i]
	}
	return ": " + clip(out)
}
