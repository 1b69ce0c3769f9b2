package config

import (
	"flag"
	"strings"
)

// FlagTable returns the suite's own flags, as Register defines them, as a
// Markdown table with the columns flag, default and meaning, in alphabetical
// order. docs/flags.md holds a copy that a test keeps in step with it.
func FlagTable() string {
	fs := flag.NewFlagSet("podperf", flag.ContinueOnError)
	(&Config{}).Register(fs)
	return flagTable(fs)
}

// flagTable renders every flag of fs as one table row.
func flagTable(fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("| flag | default | meaning |\n")
	b.WriteString("|---|---|---|\n")
	fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if strings.TrimSpace(f.DefValue) != "" {
			def = codeSpan(f.DefValue)
		}
		b.WriteString("| " + codeSpan("--"+f.Name) + " | " + def + " | " + cell(f.Usage) + " |\n")
	})
	return b.String()
}

// cell makes text safe inside a Markdown table cell: one line, with the
// characters that would end the cell or start an escape escaped.
func cell(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, `\`, `\\`)
	return strings.ReplaceAll(s, "|", `\|`)
}

// codeSpan wraps s in backticks, with enough of them that a backtick inside
// s does not end the span. A '|' is escaped even there, as tables require.
func codeSpan(s string) string {
	s = strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
