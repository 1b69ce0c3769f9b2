package netns

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// minNetperf is the oldest netperf whose omni output selectors (-k) the
// suite's parser reads; 2.7.0 (Debian 12) is the version it is tested with.
var minNetperf = [2]int{2, 6}

var netperfVersion = regexp.MustCompile(`(?i)netperf version (\d+)\.(\d+)`)

// checkNetperf runs netperf -V and fails, before anything is built, when
// it is not a netperf the suite can read.
func checkNetperf(ctx context.Context) error {
	path, err := exec.LookPath("netperf")
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, path, "-V").CombinedOutput()
	v := strings.TrimSpace(string(out))
	if i := strings.IndexByte(v, '\n'); i >= 0 {
		v = v[:i]
	}
	m := netperfVersion.FindStringSubmatch(v)
	if err != nil || m == nil {
		return fmt.Errorf("%s -V printed %q, not a netperf version: install netperf %d.%d or newer (scripts/install-deps.sh)", path, v, minNetperf[0], minNetperf[1])
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major < minNetperf[0] || major == minNetperf[0] && minor < minNetperf[1] {
		return fmt.Errorf("%s is %s: the suite reads the output selectors of netperf %d.%d or newer (2.7.0 is tested): install it with scripts/install-deps.sh", path, v, minNetperf[0], minNetperf[1])
	}
	return nil
}
