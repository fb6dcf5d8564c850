package catalog

import "testing"

func TestSizeOf(t *testing.T) {
	for _, tc := range []struct {
		ref, want string
	}{
		{"public.ecr.aws/lambda/provided:al2", "public.ecr.aws/lambda/provided:al2 (≈310 MB)"},
		{"public.ecr.aws/lambda/provided:al2-arm64", "public.ecr.aws/lambda/provided:al2-arm64 (≈342 MB)"},
		{"public.ecr.aws/lambda/provided:al2023", "public.ecr.aws/lambda/provided:al2023 (≈26 MB compressed, uncompressed size unknown)"},
		{"gcr.io/distroless/python3-debian12:nonroot", "gcr.io/distroless/python3-debian12:nonroot (≈50 MB compressed, uncompressed size unknown)"},
		{"gcr.io/distroless/nodejs20-debian12:nonroot", "gcr.io/distroless/nodejs20-debian12:nonroot (≈181 MB)"},
		{"gcr.io/distroless/nodejs22-debian13:nonroot", "gcr.io/distroless/nodejs22-debian13:nonroot (size unknown)"},
		{"cgr.dev/chainguard/static:latest", "cgr.dev/chainguard/static:latest (≈1.3 MB)"},
		{"gcr.io/distroless/static-debian13:nonroot", "gcr.io/distroless/static-debian13:nonroot (≈2.0 MB)"},
		{"gcr.io/distroless/cc:latest-arm64", "gcr.io/distroless/cc:latest-arm64 (≈34 MB)"},
		{"gcr.io/distroless/cc-debian13:nonroot", "gcr.io/distroless/cc-debian13:nonroot (≈24 MB)"},
		{"scratch", "scratch (0 MB)"},
		{"golang:1.22", "golang:1.22 (≈874 MB)"},
		{"golang:1.22-alpine", "golang:1.22-alpine (size unknown)"},
		{"rust:1.84-slim", "rust:1.84-slim (≈921 MB)"},
		{"rust:1.84-bullseye", "rust:1.84-bullseye (≈1.7 GB)"},
		{"debian:bookworm-slim", "debian:bookworm-slim (size unknown)"},
		{"alpine", "alpine (≈8.3 MB)"},
		{"${BASE}", "${BASE} (size unknown)"},
		{"example.com/app:1", "example.com/app:1 (size unknown)"},
	} {
		if got := SizeOf(tc.ref).String(); got != tc.want {
			t.Errorf("SizeOf(%q) = %q, want %q", tc.ref, got, tc.want)
		}
	}
	s := SizeOf("public.ecr.aws/lambda/provided:al2")
	if s.Source == "" || s.Date == "" || s.CompressedMB == nil || *s.CompressedMB != 51.9 {
		t.Errorf("provided:al2 size lacks its source, date or compressed size: %+v", s)
	}
}

// Every runtime image of the catalog has a size entry with a source, even
// when the figure is unknown.
func TestCatalogImagesHaveSizeSources(t *testing.T) {
	for _, img := range Images() {
		if s := SizeOf(img.Ref); s.Source == "" && img.Flavor != Chainguard && img.Language == "" {
			t.Errorf("%s: no size entry in catalog_sizes.json", img.Ref)
		}
	}
}
