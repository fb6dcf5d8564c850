package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/dfslim/dfslim/rewrite"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// AddToCopy turns ADD of local files into COPY.
var AddToCopy = &Rule{
	Name:    "add-to-copy",
	Summary: "Use COPY instead of ADD for local files",
	Why: `
ADD does more than copy: it downloads URLs, clones git repositories and unpacks local tar
archives. For plain local files and directories COPY does the same thing and says so, and
an archive added later is not unpacked by surprise (hadolint DL3020, Trivy DS-0005).
URL and git sources stay ADD: that is what ADD is for. Local archives stay ADD too, with
a finding, because ADD unpacks them and COPY would not.`,
	FixSafety: `
Only the keyword changes (ADD becomes COPY, in the same case); flags that COPY shares
(--chown, --chmod, --link, --exclude) stay. There is no fix when ADD has a flag COPY lacks
(--checksum, --keep-git-dir, --unpack, …), for heredocs, when a source uses a variable,
when a source may be a tar archive (an archive-like name such as .tar.gz, .tgz, .xz or
.zst, or archive content in the build context), or when a wildcard source cannot be
checked against the build context.`,
	Safety: Safe,
	Before: `FROM python:3.13-slim
WORKDIR /app
ADD --chown=1000:1000 requirements.txt app.py ./
ADD https://example.com/data.csv /data/
`,
	After: `FROM python:3.13-slim
WORKDIR /app
COPY --chown=1000:1000 requirements.txt app.py ./
ADD https://example.com/data.csv /data/
`,
	Run: runAddToCopy,
}

// copyFlags are the ADD flags that COPY accepts with the same meaning.
var copyFlags = map[string]bool{"chown": true, "chmod": true, "link": true, "exclude": true}

// archiveSuffixes are file name endings of the tar archives and compressed
// files that ADD may unpack.
var archiveSuffixes = []string{".tar", ".gz", ".tgz", ".bz2", ".tbz", ".tbz2", ".xz", ".txz",
	".zst", ".tzst", ".lzma", ".tlz"}

func runAddToCopy(p *Pass) error {
	f := p.File
	for _, st := range f.Stages {
		for _, cmd := range st.Commands {
			add, ok := cmd.(*instructions.AddCommand)
			if !ok {
				continue
			}
			in := f.InstrOf(add)
			if in == nil || in.Cmd != "add" {
				continue
			}
			at := rewrite.Span{Start: in.Span.Start, End: in.Span.Start}
			if remoteSources(add) {
				continue // what ADD is for
			}
			reason, err := addNeedsAdd(buildContext(p), in, add)
			if err != nil {
				return err
			}
			if reason != "" {
				p.Reportf(at, "ADD stays: %s", reason)
				continue
			}
			kw := rewrite.Span{Start: in.Span.Start, End: in.Span.Start + 3}
			p.Report(Finding{Span: at,
				Message: "ADD copies local files only; COPY does the same without ADD's URL and unpacking behaviour",
				Fix: &Fix{Message: "Use COPY", Safety: Safe,
					Edits: []rewrite.Edit{{Span: kw, New: copyKeyword(f.Text(kw))}}}})
		}
	}
	return nil
}

// buildContext returns the pass's build context, or nil when there is none to
// read (the driver's overlay of fixed files over no context).
func buildContext(p *Pass) fs.FS {
	if o, ok := p.Context.(*overlayFS); ok && o.base == nil && len(o.files) == 0 {
		return nil
	}
	return p.Context
}

// remoteSources reports whether any source of the ADD is a URL or a git reference.
func remoteSources(add *instructions.AddCommand) bool {
	for _, src := range add.SourcePaths {
		lower := strings.ToLower(src)
		if strings.Contains(lower, "://") || strings.HasPrefix(lower, "git@") {
			return true
		}
		// scp-like git remote: user@host:path
		if at := strings.IndexByte(src, '@'); at > 0 {
			if colon := strings.IndexByte(src[at:], ':'); colon > 0 && !strings.Contains(src[:at], "/") {
				return true
			}
		}
	}
	return false
}

// addNeedsAdd returns why the ADD cannot become COPY, or "".
func addNeedsAdd(ctx fs.FS, in *rewrite.Instr, add *instructions.AddCommand) (string, error) {
	if len(in.Node.Heredocs) > 0 || len(add.SourceContents) > 0 {
		return "it has a heredoc; COPY <<EOF does the same, change it by hand", nil
	}
	for _, flag := range in.Node.Flags {
		name, _, _ := strings.Cut(strings.TrimLeft(flag, "-"), "=")
		if !copyFlags[strings.ToLower(name)] {
			return fmt.Sprintf("it uses --%s, which COPY does not have", name), nil
		}
	}
	for _, src := range add.SourcePaths {
		if strings.Contains(src, "$") {
			return fmt.Sprintf("the source %s uses a variable, so it may name an archive that ADD unpacks", src), nil
		}
		reason, err := sourceMayUnpack(ctx, src)
		if reason != "" || err != nil {
			return reason, err
		}
	}
	return "", nil
}

// sourceMayUnpack returns why ADD might unpack src, or "". It reads the
// build context when there is one.
func sourceMayUnpack(ctx fs.FS, src string) (string, error) {
	name := contextPath(src)
	if !strings.ContainsAny(src, "*?[") {
		if archiveName(name) {
			return fmt.Sprintf("ADD unpacks local tar archives and %s looks like one; use COPY if it should stay packed", src), nil
		}
		return archiveContent(ctx, name, src)
	}
	switch {
	case ctx == nil:
		return fmt.Sprintf("the wildcard %s cannot be checked for archives without the build context", src), nil
	case strings.Contains(src, "**") || strings.HasPrefix(name, "../"):
		return fmt.Sprintf("the wildcard %s cannot be resolved in the build context to check for archives", src), nil
	}
	matches, err := fs.Glob(ctx, name)
	if err != nil || len(matches) == 0 {
		return fmt.Sprintf("the wildcard %s matches nothing in the build context", src), nil
	}
	for _, m := range matches {
		if archiveName(m) {
			return fmt.Sprintf("the wildcard %s matches %s, which ADD would unpack", src, m), nil
		}
		if reason, err := archiveContent(ctx, m, src); reason != "" || err != nil {
			return reason, err
		}
	}
	return "", nil
}

// contextPath turns an ADD source into a slash path inside the build context.
func contextPath(src string) string {
	p := path.Clean("/" + strings.ReplaceAll(src, `\`, "/"))
	if p == "/" {
		return "."
	}
	return strings.TrimPrefix(p, "/")
}

// archiveName reports whether a file name ends like an archive ADD may unpack.
func archiveName(name string) bool {
	lower := strings.ToLower(name)
	for _, s := range archiveSuffixes {
		if strings.HasSuffix(lower, s) {
			return true
		}
	}
	return false
}

// archiveContent returns a reason when the context file name starts like a
// tar archive or a compressed file. Directories, missing files and a nil
// context give "".
func archiveContent(ctx fs.FS, name, src string) (string, error) {
	if ctx == nil {
		return "", nil
	}
	file, err := ctx.Open(name)
	var unread *errUnread
	if errors.As(err, &unread) {
		return fmt.Sprintf("%s could not be read to tell whether ADD unpacks it (%s)", src, unread.why), nil
	}
	if err != nil {
		return "", nil // not in the context: judged by its name
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil || info.IsDir() {
		return "", nil
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(file, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	if archiveMagic(head[:n]) {
		return fmt.Sprintf("%s is an archive that ADD unpacks; use COPY if it should stay packed", src), nil
	}
	return "", nil
}

// archiveMagic reports whether data starts like a tar archive or a gzip,
// bzip2, xz or zstd stream.
func archiveMagic(data []byte) bool {
	for _, magic := range [][]byte{{0x1f, 0x8b}, []byte("BZh"), {0xfd, '7', 'z', 'X', 'Z', 0}, {0x28, 0xb5, 0x2f, 0xfd}} {
		if bytes.HasPrefix(data, magic) {
			return true
		}
	}
	return len(data) >= 262 && string(data[257:262]) == "ustar"
}

// copyKeyword returns COPY in the case of kw, the ADD keyword as written.
func copyKeyword(kw string) string {
	switch {
	case kw == strings.ToUpper(kw):
		return "COPY"
	case kw == strings.ToLower(kw):
		return "copy"
	case kw[0] >= 'A' && kw[0] <= 'Z':
		return "Copy"
	}
	return "copy"
}
