// A separate module so the podperf module's `go build ./...` and `go test ./...` leave it alone.
module podperf.local/pause

go 1.26
