package kindcluster

import (
	"errors"
	"fmt"
	"strings"

	kindexec "sigs.k8s.io/kind/pkg/exec"
	kindlog "sigs.k8s.io/kind/pkg/log"
)

// logger passes kind's user-facing messages (V(0), warnings, errors) to logf.
type logger struct{ logf func(string, ...any) }

func (l logger) Warn(m string)                        { l.logf("kind: %s", strings.TrimSpace(m)) }
func (l logger) Warnf(f string, a ...any)             { l.Warn(fmt.Sprintf(f, a...)) }
func (l logger) Error(m string)                       { l.logf("kind: %s", strings.TrimSpace(m)) }
func (l logger) Errorf(f string, a ...any)            { l.Error(fmt.Sprintf(f, a...)) }
func (l logger) V(v kindlog.Level) kindlog.InfoLogger { return info{l, v == 0} }

type info struct {
	l  logger
	on bool
}

func (i info) Info(m string) {
	if m = strings.TrimSpace(m); i.on && m != "" {
		i.l.logf("kind: %s", m)
	}
}
func (i info) Infof(f string, a ...any) {
	if i.on {
		i.Info(fmt.Sprintf(f, a...))
	}
}
func (i info) Enabled() bool { return i.on }

// logRunError logs the output of a failed node or docker command, which
// kind keeps out of the error text.
func (c *Cluster) logRunError(err error) {
	var re *kindexec.RunError
	if errors.As(err, &re) && len(re.Output) > 0 {
		out := strings.TrimSpace(string(re.Output))
		if len(out) > 4000 {
			out = "..." + out[len(out)-4000:]
		}
		c.logf("%s failed; its output:\n%s", re.PrettyCommand(), out)
	}
}
