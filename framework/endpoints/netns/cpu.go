package netns

import (
	"fmt"

	"podperf/framework/endpoints"
)

// cpuSets confines client and server to want CPUs each, on separate CPUs where
// the machine has enough, as on two real nodes. It scales a request down to
// the machine and says so in info.
func cpuSets(want, have int, info *endpoints.PairInfo) (client, server string) {
	if want <= 0 {
		info.CPUsGranted = have
		return "", ""
	}
	got := min(want, have)
	info.CPUsGranted = got
	if got < want {
		info.Notes = append(info.Notes, fmt.Sprintf("%d CPUs requested, %d granted: this machine has %d", want, got, have))
	}
	span := func(from, n int) string {
		if n == 1 {
			return fmt.Sprint(from)
		}
		return fmt.Sprintf("%d-%d", from, from+n-1)
	}
	client = span(0, got)
	if 2*got <= have {
		server = span(got, got)
	} else {
		server = client
		info.Notes = append(info.Notes, fmt.Sprintf("client and server share CPUs %s: the machine has too few to keep them apart", client))
	}
	info.CPUSet = "client " + client + ", server " + server
	return client, server
}
