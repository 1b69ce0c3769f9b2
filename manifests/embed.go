// Package manifests embeds the baseline profiles and tolerance files so that the
// suite binary finds them wherever it runs; --baseline and --tolerances accept
// either one of these names or a file path.
package manifests

import "embed"

// FS holds baselines/*.yaml and tolerances/*.yaml.
//
//go:embed baselines/*.yaml tolerances/*.yaml
var FS embed.FS
