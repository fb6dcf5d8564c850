package catalog

import "fmt"

// AlpineRef is the Alpine image --base alpine puts static binaries on: a
// shell and apk, for those who want them (the seed article: "Alpine keeps a
// shell and basic binaries").
const AlpineRef = "alpine:3.22"

// alpineImage is the runtime image of --base alpine: static binaries only
// (a glibc binary does not run on musl).
func alpineImage(kind Kind) (*Image, error) {
	if kind != KindStatic {
		return nil, fmt.Errorf("--base alpine runs only static binaries, and this one needs %s, which Alpine's musl does not provide (build it statically, or use --base distroless or chainguard)", kindNeeds(kind))
	}
	return &Image{Ref: AlpineRef, Flavor: Alpine, Kind: KindStatic, Libc: LibcMusl, Distro: "alpine", User: "65532", Workdir: "/", Shell: true,
		Entrypoint: []string{}, Provides: []string{"ca-certificates"}}, nil
}

// scratchImage is the runtime "image" of --base scratch: only static
// binaries run on it, and it has no shell variant.
func scratchImage(kind Kind, debug bool) (*Image, error) {
	if debug {
		return nil, fmt.Errorf("scratch has no variant with a shell (--debug)")
	}
	if kind != KindStatic {
		return nil, fmt.Errorf("scratch runs only static binaries, and this one needs %s (build it statically, or use --base distroless or chainguard)", kindNeeds(kind))
	}
	return &Image{Ref: string(Scratch), Flavor: Scratch, Kind: KindStatic, Libc: LibcNone, User: "65532", Workdir: "/", Entrypoint: []string{}}, nil
}

// kindNeeds says what a runtime kind needs, for messages.
func kindNeeds(kind Kind) string {
	switch kind {
	case KindGlibc:
		return "glibc"
	case KindCC:
		return "glibc and libgcc"
	}
	return "a " + string(kind) + " runtime"
}
