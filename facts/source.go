package facts

import (
	"io/fs"

	"github.com/dfslim/dfslim/rewrite"
)

// A Source is what the analysis reads: one Dockerfile and its build context.
type Source struct {
	File *rewrite.File
	// Context is the build context, or nil when there is none to read.
	Context fs.FS
	// DockerfilePath is the Dockerfile's slash path inside Context, or "" when
	// it lies outside.
	DockerfilePath string
}
