// Package manifests embeds the files the suite binary needs wherever it runs:
// the baseline profiles and tolerance files (--baseline and --tolerances accept
// either one of these names or a file path), the values shared with the
// scripts (podperf.env, see Constants), and the ptp CNI configuration
// (cni/ptp.conflist, see PTPConflist).
package manifests

import "embed"

// FS holds baselines/*.yaml, tolerances/*.yaml, podperf.env, cni/*.conflist and
// results.schema.json (the JSON Schema of results.json).
//
//go:embed baselines/*.yaml tolerances/*.yaml podperf.env cni/*.conflist results.schema.json
var FS embed.FS
