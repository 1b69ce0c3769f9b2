package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"podperf/framework/results"
)

// ChartsDir is the directory of the charts inside a report directory.
const ChartsDir = "charts"

// chartFile matches the files Charts names, so that charts of tests a
// previous report had and this run lacks do not linger.
var chartFile = regexp.MustCompile(`^[a-z0-9_]+-(ratio|rate|cpu|latency)\.(png|svg)$`)

// Write makes every report of run in dir, beside its results.json:
// report.md, report.html, summary.md, results.csv and charts/*.png|svg,
// judged beside the built-in baseline profiles. It returns the files written.
func Write(dir string, run *results.Run) ([]string, error) {
	refs, err := BuiltinProfiles()
	if err != nil {
		return nil, err
	}
	charts, err := Charts(run, refs)
	if err != nil {
		return nil, err
	}
	cdir := filepath.Join(dir, ChartsDir)
	if err := os.MkdirAll(cdir, 0o755); err != nil {
		return nil, fmt.Errorf("report dir: %w", err)
	}
	if old, err := os.ReadDir(cdir); err == nil {
		for _, e := range old {
			if chartFile.MatchString(e.Name()) {
				if err := os.Remove(filepath.Join(cdir, e.Name())); err != nil {
					return nil, fmt.Errorf("remove an old chart: %w", err)
				}
			}
		}
	}
	var written []string
	put := func(path string, b []byte) error {
		if err := writeAtomic(path, b); err != nil {
			return err
		}
		written = append(written, path)
		return nil
	}
	for _, c := range charts {
		if err := put(filepath.Join(cdir, c.Name+".png"), c.PNG); err != nil {
			return written, err
		}
		if err := put(filepath.Join(cdir, c.Name+".svg"), c.SVG); err != nil {
			return written, err
		}
	}
	docs := []struct {
		name   string
		render func(io.Writer) error
	}{
		{"report.md", func(w io.Writer) error { return Markdown(w, run, refs, MarkdownOptions{Charts: charts}) }},
		{"summary.md", func(w io.Writer) error { return Markdown(w, run, refs, MarkdownOptions{Summary: true}) }},
		{"report.html", func(w io.Writer) error { return HTML(w, run, refs, charts) }},
		{"results.csv", func(w io.Writer) error { return CSV(w, run) }},
	}
	for _, d := range docs {
		var b bytes.Buffer
		if err := d.render(&b); err != nil {
			return written, fmt.Errorf("%s: %w", d.name, err)
		}
		if err := put(filepath.Join(dir, d.name), b.Bytes()); err != nil {
			return written, err
		}
	}
	return written, nil
}

// writeAtomic writes b to path through a temporary file and a rename.
func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}
