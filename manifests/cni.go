package manifests

import "strings"

// ptpConflistFile is the ptp CNI configuration in FS, with podCIDRPlaceholder
// where the node's podCIDR goes; scripts/kind-offline/41-cni.sh fills in the
// same file with sed.
const ptpConflistFile = "cni/ptp.conflist"

// podCIDRPlaceholder stands for the node's podCIDR in ptpConflistFile.
const podCIDRPlaceholder = "@POD_CIDR@"

// PTPConflist is the ptp CNI configuration (ptp + host-local over podCIDR +
// portmap) of a node whose podCIDR is podCIDR.
func PTPConflist(podCIDR string) string {
	b, err := FS.ReadFile(ptpConflistFile)
	if err != nil {
		panic(err) // embedded at build time
	}
	return strings.ReplaceAll(string(b), podCIDRPlaceholder, podCIDR)
}
