package facts

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io/fs"
	"strings"

	"github.com/dfslim/dfslim/catalog"
)

// HarmlessCommands change nothing a runtime stage would need.
var HarmlessCommands = []string{"echo", "printf", "true", "false", ":", "set", "cd", "exit", "test", "[", "sleep",
	"ls", "cat", "env", "which", "id", "whoami", "pwd", "uname", "date", "useradd", "adduser", "groupadd",
	"addgroup", "usermod", "chpasswd", "passwd", "userdel", "groupdel", "du", "df", "find", "grep", "head",
	"tail", "wc", "sort", "tr", "cut", "awk", "xargs", "ldd", "readelf", "file", "strip", "upx", "sha256sum",
	"md5sum", "gpg", "git", "corepack", "npx", "tsc", "make", "cmake", "go", "cargo", "rustup", "rustc",
	"mvn", "mvnw", "gradle", "gradlew", "javac", "jar", "npm", "yarn", "pnpm", "node", "gcc", "g++", "cc",
	"c++", "clang", "clang++", "ldconfig", "update-ca-certificates", "locale-gen"}

// FileSafeCommands change file modes, owners or users, or print, but do not
// write programs.
var FileSafeCommands = []string{"chmod", "chown", "chgrp", "mkdir", "echo", "printf", "true", ":", "set", "test",
	"[", "ls", "id", "whoami", "useradd", "adduser", "groupadd", "addgroup", "usermod", "chpasswd"}

// ELFLibc tells how an ELF executable is linked from its program interpreter.
func ELFLibc(data []byte) (catalog.Libc, error) {
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("not an ELF executable, so how it is linked is unknown")
	}
	defer ef.Close()
	for _, prog := range ef.Progs {
		if prog.Type != elf.PT_INTERP {
			continue
		}
		buf := make([]byte, prog.Filesz)
		if _, err := prog.ReadAt(buf, 0); err != nil {
			return "", fmt.Errorf("unreadable ELF interpreter")
		}
		interp := strings.TrimRight(string(buf), "\x00")
		switch {
		case strings.Contains(interp, "ld-musl"):
			return catalog.LibcMusl, nil
		case strings.Contains(interp, "ld-linux"):
			return catalog.LibcGlibc, nil
		}
		return "", fmt.Errorf("unknown ELF interpreter %s", interp)
	}
	for _, prog := range ef.Progs {
		if prog.Type == elf.PT_DYNAMIC {
			return "", fmt.Errorf("dynamic ELF without an interpreter")
		}
	}
	return catalog.LibcNone, nil
}

// PackageArgs returns the packages a package-manager command installs, or
// removes (remove true).
func PackageArgs(tool string, args []string, dyn []bool) (pkgs []string, remove bool) {
	sub := ""
	for i := 1; i < len(args); i++ {
		x := args[i]
		if dyn[i] {
			continue
		}
		if strings.HasPrefix(x, "-") {
			if pkgOptionTakesValue(tool, x) {
				i++ // its value is no package (pkgoptions.go)
			}
			continue
		}
		if sub == "" {
			sub = x
			continue
		}
		if strings.Contains(x, "=") && tool != "apk" {
			x, _, _ = strings.Cut(x, "=")
		}
		if tool == "apk" {
			x, _, _ = strings.Cut(x, "=")
		}
		pkgs = append(pkgs, x)
	}
	switch sub {
	case "install", "add", "reinstall":
		return pkgs, false
	case "remove", "purge", "del", "erase", "autoremove":
		return pkgs, true
	}
	return nil, false
}

// Within reports whether the slash path p is dir or lies under it; every path
// lies within "".
func Within(p, dir string) bool {
	dir = strings.TrimSuffix(dir, "/")
	return p == dir || strings.HasPrefix(p, dir+"/") || dir == ""
}

// ContextPath turns "" into the context root ".".
func ContextPath(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// Exists reports whether path exists in fsys.
func Exists(fsys fs.FS, path string) bool {
	_, err := fs.Stat(fsys, path)
	return err == nil
}

// LeadingDigits returns the digits s starts with: "3" for "3rc1".
func LeadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
