package rules

import (
	"github.com/dfslim/dfslim/catalog"
	"github.com/dfslim/dfslim/facts"
	"github.com/dfslim/dfslim/rewrite"
)

// This file holds what the rules that move a final stage to a runtime image
// share (runtime-base, lambda, and the slim rung of multi-stage): the plan of
// the move, how it is reported, and the choice of the image for a binary's
// kind under the user's configuration.

// runtimePlan is what moving a final stage to a runtime image takes.
type runtimePlan struct {
	image     *catalog.Image
	refPrefix string   // written before the image reference: a --platform flag
	safety    Safety   // Unsafe when users become numeric ids they did not have
	notes     []string // what else the fix does, for the message
	what      string   // what the stage runs, for the message
	edits     []rewrite.Edit
	blockers  []facts.Blocker
}

// report reports the plan's blockers, each as "<stays>: <reason>", or else
// one finding at the image reference whose fix swaps the image and applies
// the plan's edits.
func (plan *runtimePlan) report(p *Pass, refSpan rewrite.Span, stays, msg, fixMsg string, safety Safety) {
	if len(plan.blockers) > 0 {
		for _, b := range plan.blockers {
			p.Reportf(b.Span, "%s: %s", stays, b.Reason)
		}
		return
	}
	edits := append([]rewrite.Edit{{Span: refSpan, New: plan.refPrefix + p.Config.ImageRef(plan.image.Ref)}}, plan.edits...)
	p.Report(Finding{Span: refSpan, Message: msg, Fix: &Fix{Message: fixMsg, Safety: safety, Edits: edits}})
}

// runtimeImageFor is RuntimeImageOn with the pass's configuration. With
// --static and a --base that runs only static binaries (scratch, alpine), a
// glibc binary first goes to the distroless image it needs: the static rule
// then builds it statically and moves it to that base.
func runtimeImageFor(p *Pass, kind catalog.Kind, version, distro string) (*catalog.Image, error) {
	flavor := p.Config.Flavor()
	if (flavor == catalog.Scratch || flavor == catalog.Alpine) && p.Config.Static && (kind == catalog.KindGlibc || kind == catalog.KindCC) {
		flavor = catalog.Distroless
	}
	return catalog.RuntimeImageOn(flavor, kind, version, distro, p.Config.Debug)
}
