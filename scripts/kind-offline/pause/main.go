// Command pause is the pod sandbox ("infra") container's process: it holds the pod's namespaces,
// reaps zombie children (it may be PID 1 of a shared PID namespace) and exits on SIGINT or SIGTERM.
// It stands in for Kubernetes' build/pause/linux/pause.c in the offline node image.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const version = "podperf-pause-1"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-v" {
		fmt.Println("pause.go", version)
		return
	}
	if os.Getpid() != 1 {
		fmt.Fprintln(os.Stderr, "Warning: pause should be the first process")
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range sigs {
		if s != syscall.SIGCHLD {
			fmt.Fprintf(os.Stderr, "Shutting down, got signal: %v\n", s)
			os.Exit(0)
		}
		for {
			var ws syscall.WaitStatus
			if pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
				break
			}
		}
	}
}
