package baseline_test

import (
	"io/fs"
	"math"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"podperf/framework/baseline"
	"podperf/manifests"
)

// FuzzParse holds the profile loader to one property on any input: it
// returns without a panic, and gives either an error that names the file or
// a profile that validates, has only finite figures, and survives a round
// trip through YAML. Seeds: the built-in profiles (manifests/baselines) and
// the committed inputs in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, err := fs.Glob(manifests.FS, "baselines/*.yaml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no built-in profiles: %v", err)
	}
	for _, file := range files {
		b, err := manifests.FS.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := baseline.Parse(b, "fuzz.yaml")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("Parse accepted a profile that does not validate: %v", err)
		}
		for id, tf := range p.Tests {
			for _, v := range []float64{tf.CPUNormalisedTo, tf.Pod.Rate, tf.Pod.ClientSD, tf.Pod.ServerSD, tf.Pod.ClientCPUPercent, tf.Pod.ServerCPUPercent,
				tf.Node.Rate, tf.Node.ClientSD, tf.Node.ServerSD, tf.Node.ClientCPUPercent, tf.Node.ServerCPUPercent} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("Parse accepted tests.%s with the figure %v", id, v)
				}
			}
		}
		out, err := yaml.Marshal(p)
		if err != nil {
			t.Fatalf("an accepted profile does not marshal: %v", err)
		}
		if _, err := baseline.Parse(out, "round trip"); err != nil {
			t.Fatalf("an accepted profile does not survive a round trip: %v\n%s", err, out)
		}
	})
}
