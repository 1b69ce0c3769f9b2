package netperf

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"

	"podperf/framework/endpoints"
)

// SNMPFile holds the kernel's protocol counters of the reader's network
// namespace: the client's own, run through the pair.
const SNMPFile = "/proc/net/snmp"

// ReadRetransSegs reads the TCP segments the client side has retransmitted
// (TcpRetransSegs of its network namespace) through the pair.
func ReadRetransSegs(ctx context.Context, pair endpoints.Pair) (uint64, error) {
	out, err := pair.Run(ctx, []string{"cat", SNMPFile})
	if err != nil {
		return 0, fmt.Errorf("read the client's TCP counters: %w", err)
	}
	if out.ExitCode != 0 {
		return 0, fmt.Errorf("read the client's TCP counters: cat %s exited with code %d%s", SNMPFile, out.ExitCode, excerpt(out.Stderr))
	}
	return ParseRetransSegs(out.Stdout)
}

// ParseRetransSegs reads RetransSegs from the text of /proc/net/snmp, where
// each protocol has a line of names followed by a line of values.
func ParseRetransSegs(snmp string) (uint64, error) {
	sc := bufio.NewScanner(strings.NewReader(snmp))
	var names []string
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || f[0] != "Tcp:" {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		if len(f) != len(names) {
			return 0, fmt.Errorf("%s: the Tcp lines have %d names and %d values", SNMPFile, len(names), len(f))
		}
		for i, n := range names {
			if n == "RetransSegs" {
				v, err := strconv.ParseUint(f[i], 10, 64)
				if err != nil {
					return 0, fmt.Errorf("%s: RetransSegs %q is not a count", SNMPFile, f[i])
				}
				return v, nil
			}
		}
		return 0, fmt.Errorf("%s: the Tcp counters lack RetransSegs", SNMPFile)
	}
	return 0, fmt.Errorf("%s has no Tcp counters (is it the kernel's file?)", SNMPFile)
}
