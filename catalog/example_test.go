package catalog_test

import (
	"fmt"

	"github.com/dfslim/dfslim/catalog"
)

func ExampleClassifyBase() {
	b := catalog.ClassifyBase("python:3.11-slim-bookworm")
	fmt.Println(b.Family, b.Language, b.Version, b.Libc, b.Distro)
	fmt.Println(b.Family == catalog.FamilyPython, catalog.LanguageKind(b.Language) == catalog.KindPython)
	// Output:
	// python python 3.11 glibc debian12
	// true true
}

func ExampleRuntimeImage() {
	img, err := catalog.RuntimeImage(catalog.Distroless, catalog.KindPython, "3.11", false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(img.Ref, img.User)
	_, err = catalog.RuntimeImage(catalog.Scratch, catalog.KindCC, "", false)
	fmt.Println(err)
	// Output:
	// gcr.io/distroless/python3-debian12:nonroot 65532
	// scratch runs only static binaries, and this one needs glibc and libgcc (build it statically, or use --base distroless or chainguard)
}

func ExampleSizeOf() {
	fmt.Println(catalog.SizeOf("cgr.dev/chainguard/static:latest"))
	// Output: cgr.dev/chainguard/static:latest (≈1.3 MB)
}
