package config

import (
	"fmt"
	"strings"
)

// InputError is a flag or configuration value the suite rejects before it
// creates anything: Flag names it (e.g. "--duration", "--baseline",
// "--label-filter"), and the message says what was wrong and what is
// accepted. It reads as one line, whatever the cause underneath says (a YAML
// decoder's errors span lines); errors.Unwrap still gives that cause.
type InputError struct {
	Flag string
	Err  error
}

func (e *InputError) Error() string { return strings.Join(strings.Fields(e.Err.Error()), " ") }

func (e *InputError) Unwrap() error { return e.Err }

// reject is an InputError for flag with a formatted message; the message
// names the flag itself, as the user typed it.
func reject(flag, format string, args ...any) error {
	return &InputError{Flag: flag, Err: fmt.Errorf(format, args...)}
}

// rejectErr is an InputError for flag around err, which already names it.
func rejectErr(flag string, err error) error {
	return &InputError{Flag: flag, Err: err}
}
