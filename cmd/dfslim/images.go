package main

import (
	"fmt"
	"maps"
	"strconv"

	"github.com/dfslim/dfslim/rules"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// imageKeys are the configuration keys of [rules.ImageOptions].
var imageKeys = []string{"registry-mirror", "digests", "uid", "gid"}

// imageSettings is the part of a settings layer that sets the image options.
type imageSettings struct {
	registryMirror *string
	digests        map[string]string // merged over earlier layers, image by image
	uid, gid       *int
}

// imageFlags are the flags of the image options; part of [ecosystem].
type imageFlags struct {
	registryMirror string
	uid, gid       int
}

func (o *options) addImageFlags(f *pflag.FlagSet) {
	f.StringVar(&o.images.registryMirror, "registry-mirror", "", "write the images dfslim adds behind this registry mirror (mirror.example.com/proxy)")
	f.IntVar(&o.images.uid, "uid", rules.DefaultUID, "runtime user id that dfslim writes in USER and COPY --chown")
	f.IntVar(&o.images.gid, "gid", 0, "runtime group id (default: the --uid)")
}

// prepareImages checks the image flags.
func (o *options) prepareImages() error {
	opts := rules.ImageOptions{RegistryMirror: o.images.registryMirror, UID: o.images.uid, GID: o.images.gid}
	if o.images.uid == 0 || o.flags != nil && o.flags.Changed("gid") && o.images.gid == 0 {
		return fmt.Errorf("--uid and --gid: dfslim writes a non-root user; 0 is root")
	}
	if err := opts.Validate(); err != nil {
		return fmt.Errorf("--%v", err)
	}
	return nil
}

// imageFlagSettings adds the image flags the user set to s.
func (o *options) imageFlagSettings(s *settings) {
	if o.flags.Changed("registry-mirror") {
		s.registryMirror = &o.images.registryMirror
	}
	if o.flags.Changed("uid") {
		s.uid = &o.images.uid
	}
	if o.flags.Changed("gid") {
		s.gid = &o.images.gid
	}
}

// applyImages sets the image options that the layer sets.
func (s *imageSettings) applyImages(o *rules.ImageOptions) {
	if s.registryMirror != nil {
		o.RegistryMirror = *s.registryMirror
	}
	if len(s.digests) > 0 {
		merged := maps.Clone(o.Digests)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, s.digests)
		o.Digests = merged
	}
	if s.uid != nil {
		o.UID = *s.uid
	}
	if s.gid != nil {
		o.GID = *s.gid
	}
}

// imageSetting reads one image key of a configuration file.
func (l *configLoader) imageSetting(s *settings, key string, v *yaml.Node) error {
	switch key {
	case "registry-mirror":
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" {
			return l.errorf(v, "registry-mirror: want a registry host and path, as mirror.example.com/proxy, not %s", describe(v))
		}
		if err := (rules.ImageOptions{RegistryMirror: v.Value}).Validate(); err != nil {
			return l.errorf(v, "%v", err)
		}
		s.registryMirror = &v.Value
	case "digests":
		if v.Kind != yaml.MappingNode {
			return l.errorf(v, "digests: want a mapping of image references to digests, as {gcr.io/distroless/static-debian13:nonroot: sha256:…}, not %s", describe(v))
		}
		s.digests = map[string]string{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, d := v.Content[i], v.Content[i+1]
			if k.Kind != yaml.ScalarNode || d.Kind != yaml.ScalarNode {
				return l.errorf(k, "digests: want image: digest pairs")
			}
			if err := (rules.ImageOptions{Digests: map[string]string{k.Value: d.Value}}).Validate(); err != nil {
				return l.errorf(k, "%v", err)
			}
			s.digests[k.Value] = d.Value
		}
	case "uid", "gid":
		n, err := strconv.Atoi(v.Value)
		if v.Kind != yaml.ScalarNode || v.Tag != "!!int" || err != nil || n <= 0 || n > 1<<31-2 {
			return l.errorf(v, "%s: want a non-root numeric id (1 to %d), not %s", key, 1<<31-2, describe(v))
		}
		if key == "uid" {
			s.uid = &n
		} else {
			s.gid = &n
		}
	}
	return nil
}
