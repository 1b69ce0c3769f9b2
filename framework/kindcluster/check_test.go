package kindcluster

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"podperf/manifests"
)

func TestCheckNetwork(t *testing.T) {
	fakeDocker(t)
	env := manifests.Constants()
	fix := fmt.Sprintf("docker network create -d bridge --subnet %s --gateway %s kind", env.KindNetSubnet, env.KindNetGateway)
	tests := []struct {
		name, subnets string
		missing       bool
		want          string // "" for no error
	}{
		{"inside", env.KindNetSubnet.String() + " ", false, ""},
		{"whole range", "198.18.0.0/15 ", false, ""},
		{"kind's own", "172.18.0.0/16 fc00:f853:ccd:e793::/64 ", false, "has subnet 172.18.0.0/16, outside 198.18.0.0/15"},
		{"IPv6 too", "198.19.1.0/24 fc00:f853:ccd:e793::/64 ", false, "has subnet fc00:f853:ccd:e793::/64"},
		{"wider than the range", "198.16.0.0/12 ", false, "outside 198.18.0.0/15"},
		{"no subnet", "", false, "has no subnet"},
		{"garbage", "nonsense ", false, `subnet "nonsense"`},
		{"missing", "", true, "docker network kind not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("FAKE_SUBNETS", tc.subnets)
			missing := ""
			if tc.missing {
				missing = "1"
			}
			t.Setenv("FAKE_NET_MISSING", missing)
			err := checkNetwork(context.Background())
			if tc.want == "" {
				if err != nil {
					t.Fatalf("checkNetwork: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("checkNetwork = %v; want an error with %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), fix) {
				t.Errorf("error %q: want the command that fixes it", err)
			}
			var ee *exec.ExitError
			if tc.missing && !errors.As(err, &ee) {
				t.Errorf("error %q does not wrap docker's exit", err)
			}
		})
	}
}
