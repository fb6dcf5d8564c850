package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
	"github.com/dfslim/dfslim/shell"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
)

// stageCleanup is what a move to a runtime image can take care of itself in
// a final stage: RUNs that only install packages the image already has (CA
// certificates, time zones, OpenSSL's library) or do nothing, and RUNs that
// only create users, whose names USER and --chown then give as numbers.
type stageCleanup struct {
	f        *rewrite.File
	drops    []*rewrite.Instr            // RUNs the move deletes
	packages map[*rewrite.Instr][]string // what each dropped RUN installs, normalized
	users    map[string]string           // user name -> uid, for users a dropped RUN creates
	groups   map[string]string           // group name -> gid ("" when not given)
	primary  map[string]string           // user name -> primary group name, when given
	// mkdirs are RUNs that only create directories as root, and the
	// WORKDIR instructions that create the same directories instead (the
	// last one going back to the working directory the stage had).
	mkdirs map[*rewrite.Instr][]string
}

// runtimePackages maps package names of apt, apk and yum to what the
// catalog's provides lists call them.
var runtimePackages = map[string]string{
	"ca-certificates": "ca-certificates", "ca-certificates-bundle": "ca-certificates",
	"tzdata":  "tzdata",
	"openssl": "libssl", "libssl3": "libssl", "libssl3t64": "libssl", "libssl1.1": "libssl", "openssl-libs": "libssl",
}

// userToolPackages only provide useradd and friends (Amazon Linux and UBI
// minimal images lack them): a RUN that installs them for a dropped
// user-creating RUN goes too. A RUN that is not dropped blocks the move
// anyway, so nothing left can need them.
var userToolPackages = []string{"shadow-utils", "shadow", "passwd", "adduser"}

// userCommands create users and groups.
var userCommands = []string{"adduser", "useradd", "addgroup", "groupadd"}

// userValueFlags are the options of userCommands that take a value.
var userValueFlags = []string{"-u", "--uid", "-g", "--gid", "-G", "--groups", "-d", "--home", "--home-dir", "-h", "-s",
	"--shell", "-c", "--comment", "--gecos", "-k", "--skel", "-K", "--key", "-e", "--expiredate", "-f", "--inactive",
	"-p", "--password", "--ingroup", "--firstuid", "--lastuid", "--firstgid", "--lastgid"}

// newStageCleanup looks at the RUNs of a final stage.
func newStageCleanup(p *Pass, stage *instructions.Stage) *stageCleanup {
	f := p.File
	cl := &stageCleanup{f: f, packages: map[*rewrite.Instr][]string{}, users: map[string]string{},
		groups: map[string]string{}, primary: map[string]string{}, mkdirs: map[*rewrite.Instr][]string{}}
	user, workdir := "", "" // the USER and WORKDIR so far; "" workdir: not set by the stage
	vars := map[string]string{}
	lex := bkshell.NewLex(rune(f.Escape))
	expand := func(s string) (string, bool) {
		var kv []string
		for k, v := range vars {
			kv = append(kv, k+"="+v)
		}
		res, err := lex.ProcessWordWithMatches(s, bkshell.EnvsFromSlice(kv))
		return res.Result, err == nil && len(res.Unmatched) == 0
	}
	for k, c := range stage.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.WorkdirCommand:
			switch {
			case strings.Contains(c.Path, "$"):
				workdir = "?"
			case strings.HasPrefix(c.Path, "/"):
				workdir = path.Clean(c.Path)
			case workdir != "" && workdir != "?":
				workdir = path.Join(workdir, c.Path)
			default:
				workdir = "?"
			}
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				if kv.Value != nil {
					vars[kv.Key] = *kv.Value
				}
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				vars[kv.Key] = kv.Value
			}
		case *instructions.RunCommand:
			in := f.InstrOf(c)
			if in == nil || len(in.Node.Heredocs) > 0 {
				continue
			}
			sh := shell.Of(f, in)
			if sh == nil {
				continue
			}
			if dirs, ok := mkdirOnly(sh); ok && (user == "" || user == "root" || user == "0" || user == "0:0") && setsUser(stage.Commands[k+1:]) {
				if restore, ok := restoreWorkdir(stage.Commands[k+1:], workdir); ok {
					cl.mkdirs[in] = append(dirs, restore...)
				}
				continue
			}
			if pkgs, users, ok := cl.classifyRun(sh, expand); ok {
				cl.drops = append(cl.drops, in)
				cl.packages[in] = pkgs
				for _, u := range users {
					u.apply(cl)
				}
			}
		}
	}
	return cl
}

// mkdirOnly returns the directories a RUN creates when all it does is
// mkdir [-p] of literal absolute paths, with no mode option.
func mkdirOnly(sh *shell.Script) ([]string, bool) {
	for _, st := range sh.File.Stmts {
		if len(st.Redirs) > 0 || st.Background || st.Negated {
			return nil, false
		}
	}
	var dirs []string
	calls := sh.Calls()
	for _, call := range calls {
		if call.Name() != "mkdir" || len(call.Args) < 2 {
			return nil, false
		}
		for i, a := range call.Args[1:] {
			switch {
			case call.Dynamic[i+1]:
				return nil, false
			case a == "-p" || a == "--parents":
			case strings.HasPrefix(a, "/") && !strings.ContainsAny(a, "*?[{"):
				dirs = append(dirs, path.Clean(a))
			default:
				return nil, false // -m, -v, a relative path
			}
		}
	}
	return dirs, len(calls) > 0 && len(dirs) > 0
}

// setsUser reports whether a USER instruction is among cmds. A directory
// mkdir creates as root is root's: the program can write to it only as
// root. Distroless :nonroot images run as 65532 where the old image ran as
// root, so the mkdir is only replaced when the stage names its user itself.
func setsUser(cmds []instructions.Command) bool {
	return slices.ContainsFunc(cmds, func(c instructions.Command) bool {
		_, ok := c.(*instructions.UserCommand)
		return ok
	})
}

// restoreWorkdir tells what WORKDIR, if any, must follow WORKDIRs that stand
// for a mkdir, so that the instructions after it (rest) run where they did:
// none when an absolute WORKDIR comes before anything that depends on the
// working directory, the stage's own working directory when it set one, and
// false when it depends on the image's, which the new image may not share.
func restoreWorkdir(rest []instructions.Command, workdir string) ([]string, bool) {
	for _, c := range rest {
		switch c := c.(type) {
		case *instructions.WorkdirCommand:
			if strings.HasPrefix(c.Path, "/") && !strings.Contains(c.Path, "$") {
				return nil, true
			}
			return restore(workdir)
		case *instructions.EnvCommand, *instructions.ArgCommand, *instructions.LabelCommand, *instructions.ExposeCommand,
			*instructions.UserCommand, *instructions.StopSignalCommand:
		default:
			return restore(workdir)
		}
	}
	return restore(workdir)
}

func restore(workdir string) ([]string, bool) {
	if workdir == "" || workdir == "?" {
		return nil, false
	}
	return []string{workdir}, true
}

// userOp is one user or group a RUN creates.
type userOp struct {
	group        bool
	name, id     string // id "" when not given
	primary      string // the user's primary group, when given
	idNotLiteral bool
}

func (u userOp) apply(cl *stageCleanup) {
	switch {
	case u.group:
		cl.groups[u.name] = u.id
	default:
		cl.users[u.name] = u.id
		if u.primary != "" {
			cl.primary[u.name] = u.primary
		}
	}
}

// classifyRun tells whether a RUN only installs runtime packages, cleans
// package caches, creates users and groups, or does nothing; and what it
// installs and creates.
func (cl *stageCleanup) classifyRun(sh *shell.Script, expand func(string) (string, bool)) (pkgs []string, users []userOp, ok bool) {
	for _, st := range sh.File.Stmts {
		if len(st.Redirs) > 0 || st.Background || st.Negated {
			return nil, nil, false
		}
	}
	for _, call := range sh.Calls() {
		name := path.Base(call.Name())
		args := call.Args
		for i, d := range call.Dynamic {
			if !d {
				continue
			}
			// Globs may name caches to remove; user ids may come from
			// build arguments.
			w := sh.Text(call.Expr.Args[i])
			switch {
			case name == "rm" && !strings.ContainsAny(w, "$`\\\"'{"):
				args[i] = w
			case slices.Contains(userCommands, name):
				v, ok := expand(w)
				if !ok {
					return nil, nil, false
				}
				args[i] = v
			default:
				return nil, nil, false
			}
		}
		switch {
		case name == "true" || name == ":" || name == "set":
		case name == "update-ca-certificates":
		case name == "apt-get" || name == "apt" || name == "apk" || name == "yum" || name == "dnf" || name == "microdnf":
			installed, ok := packageOperands(name, args[1:])
			if !ok {
				return nil, nil, false
			}
			for _, p := range installed {
				if slices.Contains(userToolPackages, p) {
					continue // only there for useradd, whose RUN goes too
				}
				norm, known := runtimePackages[p]
				if !known {
					return nil, nil, false
				}
				if !slices.Contains(pkgs, norm) {
					pkgs = append(pkgs, norm)
				}
			}
		case name == "rm":
			for _, a := range args[1:] {
				if strings.HasPrefix(a, "-") {
					continue
				}
				if !cacheDir(a) {
					return nil, nil, false
				}
			}
		case slices.Contains(userCommands, name):
			u, ok := parseUserCommand(name, args[1:])
			if !ok {
				return nil, nil, false
			}
			users = append(users, u...)
		default:
			return nil, nil, false
		}
	}
	return pkgs, users, true
}

// cacheDir reports whether p (a literal path, maybe with a trailing /*) is a
// package manager's cache or list directory.
func cacheDir(p string) bool {
	p = strings.TrimSuffix(strings.TrimSuffix(p, "*"), "/")
	for _, d := range []string{"/var/lib/apt/lists", "/var/cache/apt", "/var/cache/apk", "/var/cache/yum", "/var/cache/dnf", "/var/log/apt", "/var/log/dpkg.log"} {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// packageOperands returns the packages a package-manager command installs
// (none for update and clean), or false for any other subcommand.
func packageOperands(pm string, args []string) ([]string, bool) {
	var sub string
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-o" || a == "-c" || a == "--repository" || a == "-X" || a == "--setopt":
			i++ // option with a value
		case strings.HasPrefix(a, "-"):
		case sub == "":
			sub = a
		default:
			operands = append(operands, a)
		}
	}
	switch sub {
	case "update", "upgrade", "clean", "autoclean", "autoremove", "makecache", "cache", "dist-upgrade":
		return nil, true
	case "install", "add":
		var pkgs []string
		for _, o := range operands {
			name, _, _ := strings.Cut(o, "=")
			name, _, _ = strings.Cut(name, "~")
			name, _, _ = strings.Cut(name, ">")
			name, _, _ = strings.Cut(name, "<")
			pkgs = append(pkgs, name)
		}
		return pkgs, true
	}
	return nil, false
}

// parseUserCommand reads an adduser, useradd, addgroup or groupadd command
// that creates one user or group.
func parseUserCommand(cmd string, args []string) ([]userOp, bool) {
	group := cmd == "addgroup" || cmd == "groupadd"
	var id, primary string
	var operands []string
	debianGroup := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		flag, value, hasValue := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "-") {
			operands = append(operands, a)
			continue
		}
		if flag == "--group" || flag == "--system" && group {
			debianGroup = debianGroup || flag == "--group"
			continue
		}
		if !slices.Contains(userValueFlags, flag) {
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, false
			}
			i++
			value = args[i]
		}
		switch {
		case flag == "-u" || flag == "--uid":
			id = value
		case group && (flag == "-g" || flag == "--gid"):
			id = value
		case !group && cmd == "useradd" && (flag == "-g" || flag == "--gid"):
			primary = value
		case !group && (flag == "-G" && cmd == "adduser" || flag == "--ingroup"):
			primary = value
		}
	}
	if len(operands) != 1 || (id != "" && facts.LeadingDigits(id) != id) {
		return nil, false
	}
	name := operands[0]
	if debianGroup && cmd == "adduser" {
		group = true // adduser --group NAME creates a group
	}
	u := userOp{group: group, name: name, id: id, primary: primary}
	return []userOp{u}, true
}

// resolves reports whether the cleanup takes care of the blocker at in.
func (cl *stageCleanup) resolves(in *rewrite.Instr, stage *instructions.Stage) bool {
	if in == nil {
		return false
	}
	if _, ok := cl.mkdirs[in]; ok || slices.Contains(cl.drops, in) {
		return true
	}
	for _, c := range stage.Commands {
		if cl.f.InstrOf(c) != in {
			continue
		}
		switch c := c.(type) {
		case *instructions.UserCommand:
			_, ok := cl.numeric(c.User)
			return ok
		case *instructions.CopyCommand:
			_, ok := cl.numeric(c.Chown)
			return ok
		case *instructions.AddCommand:
			_, ok := cl.numeric(c.Chown)
			return ok
		}
	}
	return false
}

// numeric turns "user[:group]" into "uid:gid" with the ids of the users and
// groups that dropped RUNs create (65532 when they gave none). Numbers and
// the names runtime images know stay as they are.
func (cl *stageCleanup) numeric(spec string) (string, bool) {
	userName, groupName, hasGroup := strings.Cut(spec, ":")
	uid, ok := cl.id(userName, cl.users)
	if !ok {
		return "", false
	}
	gid := uid
	if hasGroup {
		if gid, ok = cl.id(groupName, cl.groups); !ok {
			return "", false
		}
	} else if g, ok := cl.primary[userName]; ok {
		if gid, ok = cl.id(g, cl.groups); !ok {
			return "", false
		}
	}
	return uid + ":" + gid, true
}

// id returns the number for a user or group name.
func (cl *stageCleanup) id(name string, known map[string]string) (string, bool) {
	if name == "" {
		return "", false
	}
	if facts.LeadingDigits(name) == name {
		return name, true
	}
	switch name {
	case "root":
		return "0", true
	case "nonroot":
		return "65532", true
	case "nobody":
		return "65534", true
	}
	id, ok := known[name]
	if !ok {
		if uid, isUser := cl.users[name]; isUser {
			id, ok = uid, true // a user's own group
		}
	}
	if !ok {
		return "", false
	}
	if id == "" {
		id = "65532"
	}
	return id, true
}

// missing returns the first package a dropped RUN installs that img lacks,
// and that RUN, or "".
func (cl *stageCleanup) missing(img *catalog.Image) (string, *rewrite.Instr) {
	for _, in := range cl.drops {
		for _, p := range cl.packages[in] {
			if !slices.Contains(img.Provides, p) {
				return p, in
			}
		}
	}
	return "", nil
}

// edits returns the deletions of the dropped RUNs and the numeric USER and
// --chown values, and whether any user id changes.
func (cl *stageCleanup) edits(stage *instructions.Stage) (edits []rewrite.Edit, notes []string, userChanged bool) {
	f := cl.f
	for _, in := range cl.drops {
		span := f.Block(in)
		// Do not leave two blank lines where the RUN was.
		if blank(f, in.CommentLine-1) && blank(f, in.EndLine+1) && in.EndLine+1 <= f.Lines() {
			span.End = f.LineFullEnd(in.EndLine + 1)
		}
		edits = append(edits, rewrite.Edit{Span: span})
	}
	for _, c := range stage.Commands {
		in := f.InstrOf(c)
		if dirs, ok := cl.mkdirs[in]; ok {
			// WORKDIR creates a directory, with its parents, as mkdir -p
			// does as root.
			var lines []string
			for _, d := range dirs {
				lines = append(lines, keyword(f, "WORKDIR")+" "+d)
			}
			edits = append(edits, rewrite.Edit{Span: in.Span, New: strings.Join(lines, f.Newline+f.Indent(in))})
			continue
		}
		if in == nil {
			continue
		}
		var spec string
		switch c := c.(type) {
		case *instructions.UserCommand:
			spec = c.User
		case *instructions.CopyCommand:
			spec = c.Chown
		case *instructions.AddCommand:
			spec = c.Chown
		}
		if spec == "" {
			continue
		}
		num, ok := cl.numeric(spec)
		if !ok || num == spec {
			continue
		}
		if in.Cmd == "user" {
			if f.Join(in).Skipped {
				continue
			}
			edits = append(edits, rewrite.Edit{Span: in.Span, New: keywordText(f, in) + " " + num})
		} else if e, ok := chownEdit(f, in, spec, num); ok {
			edits = append(edits, e)
		} else {
			continue
		}
		userChanged = true
		notes = append(notes, fmt.Sprintf("%s → %s", spec, num))
	}
	return edits, slices.Compact(notes), userChanged
}

// chownEdit returns the edit that rewrites the value of the --chown flag of
// in from old to value.
func chownEdit(f *rewrite.File, in *rewrite.Instr, old, value string) (rewrite.Edit, bool) {
	j := f.Join(in)
	head := j.Text[:j.Args]
	for _, form := range []string{"--chown=" + old, `--chown="` + old + `"`, "--chown='" + old + "'"} {
		if i := strings.Index(head, form); i >= 0 {
			start := i + len("--chown=")
			return rewrite.Edit{Span: j.SourceSpan(start, i+len(form)), New: value}, true
		}
	}
	return rewrite.Edit{}, false
}

// blank reports whether line n exists and holds only white space.
func blank(f *rewrite.File, n int) bool {
	return n >= 1 && n <= f.Lines() && strings.TrimSpace(f.Line(n)) == ""
}
