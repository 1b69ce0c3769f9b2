package manifests

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestPTPConflist(t *testing.T) {
	b, err := FS.ReadFile(ptpConflistFile)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), podCIDRPlaceholder); n != 1 {
		t.Fatalf("%s holds %s %d times, want once", ptpConflistFile, podCIDRPlaceholder, n)
	}
	s := PTPConflist("198.18.1.0/24")
	if !strings.HasSuffix(s, "}\n") {
		t.Errorf("conflist does not end with one newline: %q", s[max(0, len(s)-10):])
	}
	var c struct {
		Name    string
		Plugins []struct {
			Type string
			IPAM struct {
				Ranges [][]struct{ Subnet string }
			}
		}
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatalf("conflist is not JSON: %v\n%s", err, s)
	}
	if len(c.Plugins) != 2 || c.Plugins[0].Type != "ptp" || c.Plugins[1].Type != "portmap" {
		t.Fatalf("plugins %+v, want ptp and portmap", c.Plugins)
	}
	if r := c.Plugins[0].IPAM.Ranges; len(r) != 1 || len(r[0]) != 1 || r[0][0].Subnet != "198.18.1.0/24" {
		t.Errorf("ptp ranges %+v, want the podCIDR 198.18.1.0/24", r)
	}
}
