package e2e

import (
	"context"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dfslim/dfslim/verify"
)

var (
	engineOnce sync.Once
	engine     verify.Engine
	engineErr  error
)

// e2eEngine is buildah on the e2e image store, driven by the verify package
// as `dfslim verify` drives it (env.sh's E2E_VERIFY_FLAGS): builds and image
// inspection in this suite go through the same code as the product's.
func e2eEngine(t *testing.T) verify.Engine {
	t.Helper()
	engineOnce.Do(func() {
		out, err := exec.Command("bash", "-c", `source env.sh && printf '%s\n' "${E2E_STORAGE_OPTS[@]}"`).Output()
		if err != nil {
			engineErr = err
			return
		}
		engine = verify.Engine{
			Kind:       verify.Buildah,
			Bin:        "buildah",
			Flags:      strings.Fields(string(out)),
			Env:        []string{"BUILDAH_ISOLATION=chroot", "BUILDAH_FORMAT=docker"},
			BuildFlags: []string{"--pull=never"},
		}
	})
	if engineErr != nil {
		t.Fatalf("reading env.sh: %v", engineErr)
	}
	return engine
}

// build builds dir/dockerfile as tag in the e2e store.
func build(t *testing.T, dir, dockerfile, tag string) error {
	return e2eEngine(t).Build(context.Background(), dir, dockerfile, tag, 30*time.Minute)
}

// inspect returns an image's size and user.
func inspect(t *testing.T, tag string) (verify.Config, error) {
	return e2eEngine(t).Inspect(context.Background(), tag)
}
