// Package prow checks the example Prow jobs in jobs/ with Prow's own
// config loader, in strict mode, and with what the suite image needs of
// them. It is a module of its own so that Prow's dependencies never touch the
// suite's (go.mod of the repository).
package prow

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	v1 "k8s.io/api/core/v1"
	"sigs.k8s.io/prow/pkg/config"
)

const (
	prowConfig = "testdata/config.yaml"
	jobConfig  = "jobs/podperf.yaml"
	// flagsDoc holds the table of the suite's flags that a test of the suite keeps in step with the code.
	flagsDoc = "../../docs/flags.md"
	// entrypoint is the suite image's entrypoint (images/suite/Dockerfile).
	entrypoint = "/opt/podperf/bin/entrypoint.sh"
	// serviceAccount is bound to the role of manifests/incluster/rbac.yaml.
	serviceAccount = "podperf"
)

// validate loads the job config as Prow would, strictly, and checks each
// podperf job: the suite image's entrypoint, the ServiceAccount bound to the
// suite's role, flags the suite knows, and artifacts left to $ARTIFACTS.
func validate(prowConfig, jobConfig string) (*config.Config, error) {
	c, err := config.LoadStrict(prowConfig, jobConfig, nil, "")
	if err != nil {
		return nil, fmt.Errorf("prow config %s with jobs %s: %w", prowConfig, jobConfig, err)
	}
	known, err := suiteFlags(flagsDoc)
	if err != nil {
		return nil, err
	}
	var errs []error
	check := func(job string, spec *v1.PodSpec) {
		if spec == nil || len(spec.Containers) != 1 {
			errs = append(errs, fmt.Errorf("job %s: want one container running the suite image", job))
			return
		}
		if spec.ServiceAccountName != serviceAccount {
			errs = append(errs, fmt.Errorf("job %s: serviceAccountName %q, want %q (bound to manifests/incluster/rbac.yaml)", job, spec.ServiceAccountName, serviceAccount))
		}
		ctr := spec.Containers[0]
		if len(ctr.Command) != 1 || ctr.Command[0] != entrypoint {
			errs = append(errs, fmt.Errorf("job %s: command %q, want [%s]", job, ctr.Command, entrypoint))
		}
		for _, a := range ctr.Args {
			name, ok := flagName(a)
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("job %s: argument %q is not --flag=value", job, a))
			case name == "report-dir":
				errs = append(errs, fmt.Errorf("job %s: --report-dir moves the artifacts away from $ARTIFACTS, where Prow uploads them", job))
			case strings.HasPrefix(name, "ginkgo."), name == "kubeconfig":
			case !known[name]:
				errs = append(errs, fmt.Errorf("job %s: --%s is not a flag of the suite (%s)", job, name, flagsDoc))
			}
		}
	}
	for _, p := range c.AllPeriodics() {
		if p.Labels["podperf"] == "true" {
			check(p.Name, p.Spec)
		}
	}
	for repo, jobs := range c.PresubmitsStatic {
		for _, p := range jobs {
			if p.Labels["podperf"] == "true" {
				check(repo+" "+p.Name, p.Spec)
			}
		}
	}
	return c, errors.Join(errs...)
}

var flagArg = regexp.MustCompile(`^--?([a-z0-9.-]+)(=.*)?$`)

// flagName returns the name of a --name=value or --name argument.
func flagName(arg string) (string, bool) {
	m := flagArg.FindStringSubmatch(arg)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// suiteFlags reads the suite's flag names from the generated table of path.
func suiteFlags(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the suite's flags: %w", err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| `--([a-z0-9-]+)`")
	names := map[string]bool{}
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		switch line := sc.Text(); {
		case strings.Contains(line, "<!-- flags:begin -->"):
			in = true
		case strings.Contains(line, "<!-- flags:end -->"):
			in = false
		case in:
			if m := row.FindStringSubmatch(line); m != nil {
				names[m[1]] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("the suite's flags: %s: %w", path, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("the suite's flags: no table between the flags:begin/end markers of %s", path)
	}
	return names, nil
}

func TestExampleJobsLoad(t *testing.T) {
	c, err := validate(prowConfig, jobConfig)
	if err != nil {
		t.Fatal(err)
	}
	periodics := map[string]bool{}
	for _, p := range c.AllPeriodics() {
		periodics[p.Name] = true
		if p.Decorate == nil || !*p.Decorate {
			t.Errorf("periodic %s is not decorated: nothing would set $ARTIFACTS or upload junit.xml", p.Name)
		}
	}
	if !periodics["periodic-podperf-cross-node"] {
		t.Errorf("periodic-podperf-cross-node missing; periodics: %v", periodics)
	}
	pres := c.PresubmitsStatic["example-org/cluster-config"]
	if len(pres) != 1 || pres[0].Name != "pull-podperf-cross-node" {
		t.Fatalf("want the presubmit pull-podperf-cross-node of example-org/cluster-config, got %v", pres)
	}
	p := pres[0]
	if p.Decorate == nil || !*p.Decorate {
		t.Errorf("presubmit %s is not decorated", p.Name)
	}
	for file, want := range map[string]bool{"cilium/values.yaml": true, "cni/10-ptp.conflist": true, "README.md": false} {
		if got := p.RunsAgainstChanges([]string{file}); got != want {
			t.Errorf("presubmit %s runs for a change to %s: %v, want %v", p.Name, file, got, want)
		}
	}
	if !p.CouldRun("main") {
		t.Errorf("presubmit %s cannot run on main", p.Name)
	}
}

// TestBrokenJobsRejected loads each file of testdata/broken, whose first line
// says "# want: TEXT": the error must contain TEXT.
func TestBrokenJobsRejected(t *testing.T) {
	files, err := filepath.Glob("testdata/broken/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no broken job configs in testdata/broken (%v)", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(b), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok || want == "" {
				t.Fatalf("%s: the first line must be '# want: TEXT', the error expected", f)
			}
			_, err = validate(prowConfig, f)
			if err == nil {
				t.Fatalf("%s loaded without error; want one containing %q", f, want)
			}
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("%s: error %q does not contain %q", f, err, want)
			}
			t.Logf("rejected as expected: %v", err)
		})
	}
}
