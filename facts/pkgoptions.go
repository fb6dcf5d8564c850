package facts

import (
	"slices"
	"strings"
)

// This file holds what package-manager commands say besides package names:
// the options that take a value (apt-get -o OPTION, -t RELEASE; apk -X URL;
// dnf --setopt OPTION), whose value is not a package, and apk's virtual
// packages (apk add --virtual .build-deps gcc … then apk del .build-deps).

// pkgValueOptions are the options of each package manager whose value is
// the next argument when not given with "=".
var pkgValueOptions = map[string][]string{
	"apt-get":  {"-o", "--option", "-t", "--target-release", "--default-release", "-c", "--config-file", "-a", "--host-architecture"},
	"apt":      {"-o", "--option", "-t", "--target-release", "--default-release", "-c", "--config-file", "-a", "--host-architecture"},
	"aptitude": {"-o", "-t", "--target-release", "-F", "--display-format"},
	"apk": {"-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch", "--cache-dir", "--keys-dir",
		"--repositories-file", "--timeout", "--cache-max-age"},
	"yum": {"--setopt", "--enablerepo", "--disablerepo", "-x", "--exclude", "--releasever", "--installroot",
		"-c", "--config", "--repo", "--repoid", "--disableplugin", "--enableplugin", "-d", "--debuglevel", "-e", "--errorlevel"},
	"dnf": {"--setopt", "--enablerepo", "--disablerepo", "-x", "--exclude", "--releasever", "--installroot",
		"-c", "--config", "--repo", "--repoid", "--disableplugin", "--enableplugin", "-d", "--debuglevel", "-e", "--errorlevel"},
	"microdnf": {"--setopt", "--enablerepo", "--disablerepo", "--releasever", "--installroot", "--config"},
	"tdnf":     {"--setopt", "--enablerepo", "--disablerepo", "--releasever", "--installroot", "-c", "--config", "-x", "--exclude"},
	"zypper":   {"-r", "--repo", "-t", "--type", "--from", "-C", "--cache-dir", "--root", "-R"},
}

// pkgOptionTakesValue reports whether opt, an option of the package manager
// tool written without "=", takes the next argument as its value.
func pkgOptionTakesValue(tool, opt string) bool {
	return !strings.Contains(opt, "=") && slices.Contains(pkgValueOptions[tool], opt)
}

// apkVirtual returns the name of the virtual package that an apk add
// command groups its packages under (--virtual NAME, -t NAME), or "".
func apkVirtual(tool string, args []string, dyn []bool) string {
	if tool != "apk" {
		return ""
	}
	for i := 1; i < len(args); i++ {
		if dyn[i] {
			continue
		}
		switch a := args[i]; {
		case (a == "-t" || a == "--virtual") && i+1 < len(args) && !dyn[i+1]:
			return args[i+1]
		case strings.HasPrefix(a, "--virtual="):
			return strings.TrimPrefix(a, "--virtual=")
		}
	}
	return ""
}

// VirtualGroups maps the virtual packages that apk add commands created to
// the packages they hold, so that removing one (apk del .build-deps)
// removes those.
type VirtualGroups map[string][]string

// Note records the group of an apk add command that installs pkgs.
func (g VirtualGroups) Note(tool string, args []string, dyn []bool, pkgs []string, remove bool) {
	if v := apkVirtual(tool, args, dyn); v != "" && !remove {
		g[v] = append(g[v], pkgs...)
	}
}

// Expand returns pkgs with the members of each virtual package among them.
func (g VirtualGroups) Expand(pkgs []string) []string {
	out := slices.Clone(pkgs)
	for _, pk := range pkgs {
		out = append(out, g[pk]...)
	}
	return out
}
