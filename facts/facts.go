package facts

import (
	"reflect"
	"slices"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Facts gives the analyses of one [Source]. Those that need nothing but the
// source are worked out on first use and kept on its File, so the rules that
// run on one version of a Dockerfile share them; what they return is
// read-only. [Facts.Build] and [Facts.Files] take more input and are worked
// out on every call.
type Facts struct {
	src Source
}

// Of returns the facts of src.
func Of(src Source) *Facts { return &Facts{src: src} }

// Source returns the Dockerfile and build context the facts are about.
func (x *Facts) Source() *Source { return &x.src }

// memoKey names one cached analysis of a File: what, for which stage, and
// under which build context (nil when there is none).
type memoKey struct {
	what    string
	stage   *instructions.Stage
	context any
}

// memo returns the analysis what of stage, computing it the first time. A
// build context is cached on only when it is a pointer or a string (os.DirFS):
// a map (fstest.MapFS), or a struct that may hold one, cannot be a map key.
func (x *Facts) memo(what string, stage *instructions.Stage, compute func() any) any {
	var ctx any
	if x.src.Context != nil {
		if k := reflect.TypeOf(x.src.Context).Kind(); k != reflect.Pointer && k != reflect.String {
			return compute()
		}
		ctx = x.src.Context
	}
	return x.src.File.Memo(memoKey{what, stage, ctx}, compute)
}

// Stages returns the stages of the Dockerfile with their parent chains.
func (x *Facts) Stages() []*Stage {
	return x.memo("stages", nil, func() any { return Stages(x.src.File) }).([]*Stage)
}

// Reads returns what the Dockerfile reads from its build context.
func (x *Facts) Reads() *Reads {
	return x.memo("reads", nil, func() any { return ReadsOf(x.src.File) }).(*Reads)
}

// ShellNeeds returns why stage cannot run on an image without a shell (see
// [ShellNeeds]).
func (x *Facts) ShellNeeds(stage *instructions.Stage) []Blocker {
	v := x.memo("shell-needs", stage, func() any { return ShellNeeds(&x.src, stage) })
	return slices.Clip(v.([]Blocker))
}

// Outputs returns what stage builds, and why some of it cannot be told (see
// [BuildOutputs]).
func (x *Facts) Outputs(stage *instructions.Stage) ([]Artifact, []Blocker) {
	a := x.build(stage)
	return slices.Clip(a.Artifacts), slices.Clip(a.Blockers)
}

// build returns the shared analysis of stage, which no caller may change.
func (x *Facts) build(stage *instructions.Stage) *Build {
	return x.memo("build", stage, func() any { return AnalyzeBuild(&x.src, stage) }).(*Build)
}

// PureGo reports whether the build context holds only pure Go code (see
// [PureGo]).
func (x *Facts) PureGo() bool { return PureGo(&x.src) }

// Build returns the analysis of stage (see [AnalyzeBuild]): a copy of the
// shared one, which the caller may extend with build steps of its own.
func (x *Facts) Build(stage *instructions.Stage) *Build { return x.build(stage).Clone() }

// Files returns what stage copies where, starting in the working directory
// wd with the environment env (see [FilesOf]).
func (x *Facts) Files(stage *instructions.Stage, wd string, env map[string]string) *StageFiles {
	return FilesOf(&x.src, stage, wd, env)
}

// ReadContext returns the contents of the build-context file name (see
// [ReadContext]).
func (x *Facts) ReadContext(name string) ([]byte, bool) { return ReadContext(&x.src, name) }
