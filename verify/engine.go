// Package verify builds a Dockerfile and its rewrite with a local container
// engine (docker, podman or buildah), runs both images and compares what they
// do: the exit code and output of a command, the HTTP status of a server, or
// that a worker stays up.
//
// Every engine command line is made by one set of methods on Engine, so the
// three engines differ only where their command lines do.
package verify

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Engine kinds.
const (
	Docker  = "docker"
	Podman  = "podman"
	Buildah = "buildah"
)

// Kinds lists the engines in the order Find tries them.
var Kinds = []string{Docker, Podman, Buildah}

// Engine is a container engine command line.
type Engine struct {
	Kind       string   // Docker, Podman or Buildah
	Bin        string   // the executable (a name on PATH or a path)
	Flags      []string // global flags, before the subcommand (buildah --root DIR --storage-driver vfs)
	Env        []string // extra environment (K=V) of every engine process
	BuildFlags []string // extra flags of every build (--pull=never, --build-arg K=V)
}

// Find returns the engine named kind ("" = the first of Kinds found on PATH
// that answers). lookPath and usable are exec.LookPath and a liveness probe
// in production; tests pass fakes.
func Find(kind string, lookPath func(string) (string, error), usable func(Engine) error) (Engine, error) {
	if kind != "" {
		if !slices.Contains(Kinds, kind) {
			return Engine{}, fmt.Errorf("--engine must be one of %s, not %q", strings.Join(Kinds, ", "), kind)
		}
		bin, err := lookPath(kind)
		if err != nil {
			return Engine{}, fmt.Errorf("engine %s: %v", kind, err)
		}
		return Engine{Kind: kind, Bin: bin}, nil
	}
	var why []string
	for _, k := range Kinds {
		bin, err := lookPath(k)
		if err != nil {
			continue
		}
		e := Engine{Kind: k, Bin: bin}
		if usable != nil {
			if err := usable(e); err != nil {
				why = append(why, fmt.Sprintf("%s: %v", k, err))
				continue
			}
		}
		return e, nil
	}
	if len(why) > 0 {
		return Engine{}, fmt.Errorf("no usable container engine (%s)", strings.Join(why, "; "))
	}
	return Engine{}, fmt.Errorf("no container engine on PATH (looked for %s)", strings.Join(Kinds, ", "))
}

// ProbeCmd is a quick command that fails when the engine cannot build (docker
// without a daemon).
func (e Engine) ProbeCmd() []string {
	if e.Kind == Buildah {
		return e.cmd("version")
	}
	return e.cmd("info", "--format", "{{.ID}}")
}

func (e Engine) cmd(args ...string) []string {
	out := append([]string{e.Bin}, e.Flags...)
	return append(out, args...)
}

// BuildCmd builds dockerfile with the context dir and tags the image.
func (e Engine) BuildCmd(dir, dockerfile, tag string) []string {
	var args []string
	switch e.Kind {
	case Docker:
		args = []string{"buildx", "build", "--load"}
	case Podman:
		args = []string{"build", "--format", "docker"} // keep HEALTHCHECK and SHELL, as Docker does
	case Buildah:
		args = []string{"bud", "--format", "docker", "--layers=false"}
	}
	args = append(args, e.BuildFlags...)
	args = append(args, "-f", dockerfile, "-t", tag, dir)
	return e.cmd(args...)
}

// InspectCmd prints an image's configuration and size as JSON (ParseInspect).
func (e Engine) InspectCmd(image string) []string {
	if e.Kind == Buildah {
		return e.cmd("inspect", "--type", "image", image)
	}
	return e.cmd("image", "inspect", image)
}

// RemoveImageCmd removes an image.
func (e Engine) RemoveImageCmd(image string) []string {
	return e.cmd("rmi", "-f", image)
}

// Run says how to run a container.
type Run struct {
	Name       string   // container name
	Image      string   // image
	Entrypoint []string // replaces the image's entrypoint (and its CMD) when set
	Args       []string // replace the image's CMD (docker run IMAGE ARGS...)
	Env        []string // K=V
	Port       int      // container port to publish on HostPort of 127.0.0.1 (0 = none)
	HostPort   int
}

// CreateCmd creates the container.
func (e Engine) CreateCmd(r Run) []string {
	if e.Kind == Buildah {
		return e.cmd("from", "--pull=never", "--quiet", "--name", r.Name, r.Image)
	}
	args := []string{"create", "--name", r.Name}
	for _, kv := range r.Env {
		args = append(args, "-e", kv)
	}
	if r.Port > 0 {
		args = append(args, "-p", fmt.Sprintf("127.0.0.1:%d:%d", r.HostPort, r.Port))
	}
	rest := r.Args
	if len(r.Entrypoint) > 0 {
		args = append(args, "--entrypoint", r.Entrypoint[0])
		rest = append(slices.Clone(r.Entrypoint[1:]), r.Args...)
	}
	args = append(args, r.Image)
	return e.cmd(append(args, rest...)...)
}

// StartCmd runs the created container in the foreground until it exits, its
// output on the command's stdout and stderr. buildah run ignores ENTRYPOINT
// and CMD, so for buildah the argv is composed here the way docker run does
// from cfg (Entrypoint + (Args or Cmd)); buildah runs it as the image's
// user, in its working directory, on the host's network.
func (e Engine) StartCmd(r Run, cfg Config) ([]string, error) {
	if e.Kind != Buildah {
		return e.cmd("start", "--attach", r.Name), nil
	}
	argv := Argv(cfg, r.Entrypoint, r.Args)
	if len(argv) == 0 {
		return nil, fmt.Errorf("%s has no ENTRYPOINT or CMD", r.Image)
	}
	args := []string{"run"}
	for _, kv := range r.Env {
		args = append(args, "-e", kv)
	}
	args = append(args, r.Name, "--")
	return e.cmd(append(args, argv...)...), nil
}

// RemoveCmd removes a container, stopping it first.
func (e Engine) RemoveCmd(name string) []string {
	if e.Kind == Buildah {
		return e.cmd("rm", name)
	}
	return e.cmd("rm", "-f", name)
}

// SharesHostNetwork reports whether a server in the container listens on the
// host's own ports (buildah run with chroot isolation), so nothing is
// published and the host port is the container port.
func (e Engine) SharesHostNetwork() bool { return e.Kind == Buildah }

// Argv is what docker run executes: the entrypoint (the image's, or the
// override, which also drops the image's CMD) followed by args, or by the
// image's CMD when there are none.
func Argv(cfg Config, entrypoint, args []string) []string {
	ep, cmd := cfg.Entrypoint, cfg.Cmd
	if len(entrypoint) > 0 {
		ep, cmd = entrypoint, nil
	}
	if len(args) > 0 {
		cmd = args
	}
	return append(slices.Clone(ep), cmd...)
}

// Config is the part of an image's configuration verify uses.
type Config struct {
	User       string
	WorkingDir string
	Entrypoint []string
	Cmd        []string
	Env        []string
	Ports      []int // exposed TCP ports, ascending
	Size       int64 // bytes, uncompressed
}

type ociConfig struct {
	User         string
	WorkingDir   string
	Entrypoint   []string
	Cmd          []string
	Env          []string
	ExposedPorts map[string]struct{}
}

// ParseInspect reads the output of InspectCmd.
func (e Engine) ParseInspect(out []byte) (Config, error) {
	var cfg ociConfig
	var size int64
	if e.Kind == Buildah {
		var img struct {
			OCIv1 struct {
				Config ociConfig `json:"config"`
			}
			Manifest string
		}
		if err := json.Unmarshal(out, &img); err != nil {
			return Config{}, fmt.Errorf("buildah inspect: %v", err)
		}
		var m struct{ Layers []struct{ Size int64 } }
		if err := json.Unmarshal([]byte(img.Manifest), &m); err != nil {
			return Config{}, fmt.Errorf("buildah inspect: manifest: %v", err)
		}
		for _, l := range m.Layers {
			size += l.Size
		}
		cfg = img.OCIv1.Config
	} else {
		var imgs []struct {
			Size   int64
			Config ociConfig
		}
		if err := json.Unmarshal(out, &imgs); err != nil {
			return Config{}, fmt.Errorf("%s image inspect: %v", e.Kind, err)
		}
		if len(imgs) != 1 {
			return Config{}, fmt.Errorf("%s image inspect: %d images, want 1", e.Kind, len(imgs))
		}
		cfg, size = imgs[0].Config, imgs[0].Size
	}
	c := Config{User: cfg.User, WorkingDir: cfg.WorkingDir, Entrypoint: cfg.Entrypoint, Cmd: cfg.Cmd, Env: cfg.Env, Size: size}
	for p := range cfg.ExposedPorts {
		num, proto, _ := strings.Cut(p, "/")
		if n, err := strconv.Atoi(num); err == nil && (proto == "" || proto == "tcp") {
			c.Ports = append(c.Ports, n)
		}
	}
	sort.Ints(c.Ports)
	return c, nil
}

// LookPath is exec.LookPath, for Find.
func LookPath(name string) (string, error) { return exec.LookPath(name) }
