package report

import (
	"encoding/json"
	"fmt"
	"os"

	"podperf/framework/results"
)

// Load reads a results.json: the file must exist, be JSON, name the schema
// this suite writes and follow it. Fields added to the schema after a file
// was written are optional, so older runs load too.
func Load(path string) (*results.Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read results: %w", err)
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s is not JSON: %w", path, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a podperf results file: its top level is not a JSON object", path)
	}
	switch schema, ok := obj["schema"].(string); {
	case !ok:
		return nil, fmt.Errorf("%s is not a podperf results file: it has no \"schema\" string (want %q)", path, results.Schema)
	case schema != results.Schema:
		return nil, fmt.Errorf("%s has schema %q, this podperf reads %q", path, schema, results.Schema)
	}
	if err := ValidateResults(b); err != nil {
		return nil, fmt.Errorf("%s %w", path, err)
	}
	var run results.Run
	if err := json.Unmarshal(b, &run); err != nil {
		return nil, fmt.Errorf("%s: decode: %w", path, err)
	}
	return &run, nil
}
