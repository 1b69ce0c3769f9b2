package config

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

// update rewrites the flag table in docs/flags.md from the code:
// go test ./framework/config -run TestFlagTable -update
var update = flag.Bool("update", false, "rewrite the generated flag table in docs/flags.md")

const (
	flagDoc        = "../../docs/flags.md"
	flagTableBegin = "<!-- flags:begin -->"
	flagTableEnd   = "<!-- flags:end -->"
)

// TestFlagTable fails when the table in docs/flags.md differs from the flags
// Register defines. With -update it rewrites the marked block instead.
func TestFlagTable(t *testing.T) {
	doc, err := os.ReadFile(flagDoc)
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	begin := strings.Index(text, flagTableBegin)
	end := strings.Index(text, flagTableEnd)
	if begin < 0 || end < begin || strings.Count(text, flagTableBegin) != 1 || strings.Count(text, flagTableEnd) != 1 {
		t.Fatalf("%s needs exactly one %s line followed by one %s line around the flag table", flagDoc, flagTableBegin, flagTableEnd)
	}
	start := begin + len(flagTableBegin)
	got, want := text[start:end], "\n"+FlagTable()
	if got == want {
		return
	}
	if *update {
		st, err := os.Stat(flagDoc)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(flagDoc, []byte(text[:start]+want+text[end:]), st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the flag table in %s", flagDoc)
		return
	}
	t.Errorf("the flag table in docs/flags.md differs from the flags framework/config registers (%s); "+
		"regenerate it with: go test ./framework/config -run TestFlagTable -update", firstDiff(got, want))
}

// firstDiff names the first line where the documented table (got) and the
// generated one (want) differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d of the block: docs %q, code %q", i, gl, wl)
		}
	}
	return "no line differs"
}

// TestFlagTableCells checks the escaping that keeps one flag on one row.
func TestFlagTableCells(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.String("b-flag", "a|b", "one | two\n  three \\ four")
	fs.Bool("a-flag", false, "plain")
	fs.String("c-flag", "", "with `code`")
	fs.String("d-flag", "x`y", "backtick in default")
	want := "| flag | default | meaning |\n|---|---|---|\n" +
		"| `--a-flag` | `false` | plain |\n" +
		"| `--b-flag` | `a\\|b` | one \\| two three \\\\ four |\n" +
		"| `--c-flag` |  | with `code` |\n" +
		"| `--d-flag` | ``x`y`` | backtick in default |\n"
	if got := flagTable(fs); got != want {
		t.Errorf("flagTable =\n%s\nwant\n%s", got, want)
	}
	// Every row of the real table has exactly three cells.
	for _, line := range strings.Split(strings.TrimSpace(FlagTable()), "\n") {
		if n := strings.Count(line, "|") - strings.Count(line, `\|`); n != 4 {
			t.Errorf("row %q has %d unescaped '|', want 4", line, n)
		}
	}
}
