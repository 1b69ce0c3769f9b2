package baseline

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"podperf/manifests"
)

// Builtin reads the built-in profile name (manifests/baselines/NAME.yaml).
func Builtin(name string) (*Profile, error) {
	f := "baselines/" + name + ".yaml"
	b, err := manifests.FS.ReadFile(f)
	if err != nil {
		return nil, fmt.Errorf("built-in baseline %s: %w", name, err)
	}
	return Parse(b, "manifests/"+f)
}

// BuiltinNames lists the built-in profiles by name, in name order.
func BuiltinNames() ([]string, error) {
	files, err := fs.Glob(manifests.FS, "baselines/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("list the built-in baselines: %w", err)
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(path.Base(f), ".yaml")
	}
	slices.Sort(names)
	return names, nil
}
