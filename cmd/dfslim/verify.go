package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/dfslim/dfslim/verify"
	"github.com/spf13/cobra"
)

const verifyLong = `Verify proves a rewrite by building it. For each Dockerfile it computes what
"dfslim fix" would write (with the same rule and image flags), applies it to a
temporary copy of the build context (your files are never changed), builds the
original and the rewrite with the local container engine, runs both images and
compares what they do. It prints one row per Dockerfile: image size before →
after, the behaviour (same, or what differed), the shell in each image and the
user each runs as.

Behaviour:
  server   the original image EXPOSEs a port, or --port is given: both must
           start and answer an HTTP GET of --path with the same status. A
           server that exits instead (no database, say) is compared like a
           command, on its exit code and the first error line of its output.
  command  the original ends within --settle seconds: the rewrite must end with
           the same exit code and the same standard output (and, when the code
           is not 0, the same first error line, timestamps dropped).
  worker   the original is still running after --settle seconds: so must the
           rewrite be.
When one image stayed up and the other exited, the one that stayed up runs
again for up to 6 × --settle (at least a minute): a crash slower than --settle
is a crash too, and two crashes compare on the exit code and first error line.
--run-arg and --env pass the same arguments (replacing CMD) and environment to
both containers.

Engines: docker (buildx), podman or buildah, the first found on PATH that works
(docker needs its daemon), or --engine. --engine-flag adds global flags to every
engine command (for buildah: --root DIR, --runroot DIR, --storage-driver vfs),
--engine-env sets environment for it (BUILDAH_ISOLATION=chroot), --build-flag
adds flags to both builds (--pull=never, --build-arg K=V). With buildah, a
container shares the host's network: the server port must be free on the host.

Every step has a time limit (--build-timeout per build; --start-timeout for a
server to answer; --settle for commands and workers). The images and
containers verify made are removed at the end (--keep keeps the images).
Progress (file, step, elapsed time) goes to stderr; the table to stdout.

Exit status: 0 every rewrite behaved the same (or there was nothing to
rewrite), 1 a rewrite behaved differently or did not build, 2 an error (the
original did not build or run, no engine).`

func newVerifyCmd() *cobra.Command {
	var o options
	var vo verify.Options
	var engine string
	cmd := &cobra.Command{
		Use:   "verify [flags] [PATH ...]",
		Short: "Build and run each Dockerfile before and after fix; compare behaviour and size",
		Long:  verifyLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.prepare(); err != nil {
				return err
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			eng, err := verify.Find(engine, verify.LookPath, probeEngine(vo.Engine))
			if err != nil {
				return err
			}
			eng.Flags, eng.Env, eng.BuildFlags = vo.Engine.Flags, vo.Engine.Env, vo.Engine.BuildFlags
			vo.Engine = eng
			vo.Context = o.context
			vo.Progress = stderr
			vo.Fix = func(dockerfile, dir string) (verify.Fixed, error) {
				return fixedFor(dockerfile, dir, &o)
			}
			paths, errs := expandPaths(args)
			status := 0
			for _, err := range errs {
				fmt.Fprintln(stderr, err)
				status = 2
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			fmt.Fprintf(stderr, "dfslim verify: engine %s (%s)\n", eng.Kind, eng.Bin)
			var results []verify.Result
			for _, p := range paths {
				r := verify.Verify(ctx, p, vo)
				r.Path = displayPath(p)
				results = append(results, r)
				switch r.Status {
				case verify.Different:
					status = max(status, 1)
				case verify.Error:
					status = 2
				}
				if r.Status == verify.Different || r.Status == verify.Error {
					fmt.Fprintf(stderr, "%s: %s: %s\n", r.Path, r.Status, r.What)
					for _, im := range []verify.Image{r.Before, r.After} {
						if im.Outcome.Log != "" {
							fmt.Fprintf(stderr, "  %s output:\n%s\n", im.Tag, indent(im.Outcome.Log))
						}
					}
				}
				if ctx.Err() != nil {
					break
				}
			}
			if err := verify.WriteTable(stdout, results); err != nil {
				return err
			}
			if status != 0 {
				return exitError(status)
			}
			return nil
		},
	}
	o.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&engine, "engine", "", "container engine: docker, podman or buildah (default: the first found)")
	f.StringArrayVar(&vo.Engine.Flags, "engine-flag", nil, "global flag for every engine command, e.g. --engine-flag=--root=/var/lib/store (repeatable)")
	f.StringArrayVar(&vo.Engine.Env, "engine-env", nil, "K=V environment of the engine commands (repeatable)")
	f.StringArrayVar(&vo.Engine.BuildFlags, "build-flag", nil, "extra flag for both builds, e.g. --build-flag=--pull=never (repeatable)")
	f.IntVar(&vo.Port, "port", 0, "server port to GET (default: the original's lowest EXPOSEd port)")
	f.StringVar(&vo.Path, "path", "/", "HTTP path to GET on a server")
	f.StringArrayVar(&vo.Args, "run-arg", nil, "argument for both containers, replacing CMD (repeatable)")
	f.StringArrayVarP(&vo.Env, "env", "e", nil, "K=V environment for both containers (repeatable)")
	f.DurationVar(&vo.Settle, "settle", 10*time.Second, "a command must end, and a worker stay up, this long")
	f.DurationVar(&vo.StartTimeout, "start-timeout", 60*time.Second, "time a server has to answer")
	f.DurationVar(&vo.BuildTimeout, "build-timeout", 20*time.Minute, "time limit of each build")
	f.BoolVar(&vo.Keep, "keep", false, "keep the images verify built")
	return cmd
}

// probeEngine checks that an engine found on PATH can build (docker needs
// its daemon), with the engine flags the user gave.
func probeEngine(flags verify.Engine) func(verify.Engine) error {
	return func(e verify.Engine) error {
		e.Flags, e.Env = flags.Flags, flags.Env
		argv := e.ProbeCmd()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		c := execCommand(ctx, argv, e.Env)
		if out, err := c.CombinedOutput(); err != nil {
			return fmt.Errorf("%s: %v: %s", argv[1], err, lastLine(string(out)))
		}
		return nil
	}
}

// fixedFor is what fix -w would write for dockerfile, without writing it.
func fixedFor(dockerfile, dir string, o *options) (verify.Fixed, error) {
	out := fixOne(dockerfile, nil, o)
	if out.err != nil {
		return verify.Fixed{}, out.err
	}
	fx := verify.Fixed{Files: map[string][]byte{}}
	for _, c := range out.changes {
		if c.path == dockerfile {
			fx.Dockerfile = c.new
			continue
		}
		rel, err := filepath.Rel(dir, c.path)
		if err != nil {
			return verify.Fixed{}, err
		}
		fx.Files[filepath.ToSlash(rel)] = c.new
	}
	if fx.Dockerfile == nil && len(out.findings) > 0 {
		fd := out.findings[0]
		fx.Note = fmt.Sprintf("line %d: %s: %s", fd.Line, fd.Rule, fd.Message)
	}
	return fx, nil
}

func execCommand(ctx context.Context, argv, env []string) *exec.Cmd {
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	c.Env = append(os.Environ(), env...)
	return c
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func indent(s string) string {
	return "    | " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    | ")
}
