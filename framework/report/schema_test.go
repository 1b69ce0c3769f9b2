package report_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"podperf/framework/report"
	"podperf/framework/results"
)

// Every field of results.json is in the schema: the fixture sets them all
// (checkFull) and the schema refuses unknown fields.
func TestSchemaValidatesFullRun(t *testing.T) {
	r := withPreflight(withPaths(fullRun(t)))
	checkFull(t, r)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := report.ValidateResults(b); err != nil {
		t.Fatal(err)
	}
}

// What WriteJSON writes, the file the suite leaves, validates.
func TestSchemaValidatesWrittenFile(t *testing.T) {
	dir := t.TempDir()
	for name, r := range map[string]*results.Run{
		"full":     withPreflight(withPaths(fullRun(t))),
		"no tests": {Schema: results.Schema, Verdict: results.NoTests},
	} {
		p, err := report.WriteJSON(filepath.Join(dir, strings.ReplaceAll(name, " ", "-")), r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := report.Load(p); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSchemaRefuses(t *testing.T) {
	full, err := json.Marshal(fullRun(t))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(full, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	test0 := func(m map[string]any) map[string]any { return m["tests"].([]any)[0].(map[string]any) }
	for _, tc := range []struct {
		name string
		doc  []byte
		want string
	}{
		{"not JSON", []byte(`{"schema":`), "not JSON"},
		{"another schema", edit(func(m map[string]any) { m["schema"] = "podperf.results/v2" }), "/schema"},
		{"an unknown field", edit(func(m map[string]any) { m["extra"] = 1 }), "additional properties 'extra'"},
		{"a verdict outside the vocabulary", edit(func(m map[string]any) { m["verdict"] = "ok" }), "/verdict"},
		{"a test without id", edit(func(m map[string]any) { delete(test0(m), "id") }), "missing property 'id'"},
		{"a path that is neither node nor pod", edit(func(m map[string]any) {
			ps := test0(m)["paths"].(map[string]any)
			ps["host"] = ps["pod"]
		}), "/tests/0/paths"},
		{"a rate that is a string", edit(func(m map[string]any) {
			test0(m)["paths"].(map[string]any)["pod"].(map[string]any)["samples"].([]any)[0].(map[string]any)["rate"] = "5"
		}), "/tests/0/paths/pod/samples/0/rate"},
		{"a time that is not a time", edit(func(m map[string]any) { m["startedAt"] = "yesterday" }), "/startedAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := report.ValidateResults(tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ValidateResults = %v, want an error about %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

// A file of the first results.json format (before verdict n, cpuNormalised,
// warnings, datapath and the sampling settings) still loads and reports.
func TestSchemaOldRun(t *testing.T) {
	r, err := report.Load(filepath.Join("testdata", "old-run.json"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := report.Write(t.TempDir(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Errorf("wrote %d files", len(files))
	}
}

// The schema file is the one manifests embeds, and it is valid JSON Schema
// that names its draft.
func TestSchemaFile(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "manifests", report.SchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v", m["$schema"])
	}
}
