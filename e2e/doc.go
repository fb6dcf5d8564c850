// Package e2e builds and runs the sample apps of testdata/e2e for real, before
// and after "dfslim fix -w", on local stand-ins of the base images (see
// setup.sh), and writes RESULTS.md and sizes.svg.
//
// It runs only when DFSLIM_E2E=1 (.ci/run sets it after running setup.sh):
//
//	e2e/setup.sh && DFSLIM_E2E=1 go test ./e2e -run TestE2E -v -timeout 80m
package e2e
