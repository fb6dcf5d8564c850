package rules

import (
	"path"
	"strings"
)

// leavesPackageCache reports whether a RUN of the build stage installs
// Node.js packages with npm or yarn and leaves the package manager's cache in
// the image (no cache mount on that RUN, no cache clean or removal of it in
// any RUN). A runtime stage that copies only the app tree loses that cache.
func (sp *split) leavesPackageCache() bool {
	installs := false
	for _, step := range sp.a.runs {
		for _, sc := range step.cmds {
			if sc.dynamic || len(sc.call.Args) == 0 {
				continue
			}
			args := sc.call.Args
			name := path.Base(args[0])
			switch {
			case (name == "npm" || name == "yarn") && len(args) > 2 && args[1] == "cache":
				return false
			case name == "rm" && removesPackageCache(args[1:]):
				return false
			case packageInstall(name, args[1:]):
				if len(step.caches) > 0 {
					return false
				}
				if _, ok := sc.env["npm_config_cache"]; ok {
					return false
				}
				installs = true
			}
		}
	}
	if !installs {
		return false
	}
	if _, ok := sp.a.envVars["npm_config_cache"]; ok {
		return false
	}
	if _, ok := sp.a.envVars["YARN_CACHE_FOLDER"]; ok {
		return false
	}
	// The app tree must not hold the caches (a home directory as WORKDIR).
	for _, d := range []string{sp.appDir, sp.a.workdir} {
		if d == "/" || d == "/root" || strings.HasPrefix(d, "/home/") || strings.HasPrefix(d, "/usr/local/share") {
			return false
		}
	}
	return true
}

// packageInstall reports whether npm or yarn, run with args, installs
// packages (and so fills its cache).
func packageInstall(name string, args []string) bool {
	sub := ""
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			sub = a
			break
		}
	}
	switch name {
	case "npm":
		switch sub {
		case "install", "i", "ci", "add", "isntall", "in":
			return true
		}
	case "yarn":
		switch sub {
		case "", "install", "add", "global":
			return true
		}
	}
	return false
}

// removesPackageCache reports whether rm's args name the npm or yarn cache.
func removesPackageCache(args []string) bool {
	for _, a := range args {
		if a == "" || strings.Contains(a, ".npm") || strings.Contains(a, ".cache") || strings.Contains(a, "yarn") {
			return true
		}
	}
	return false
}
