package scan

import (
	"context"

	"github.com/ssis-ha-lint/ssis-ha-lint/collectors/facts"
	"github.com/ssis-ha-lint/ssis-ha-lint/policies"
	"github.com/ssis-ha-lint/ssis-ha-lint/reports"
)

// PendingEngine is a policy engine being compiled on another goroutine, so
// that a command can read and normalize the bundle meanwhile (compile and
// normalize are each a good part of a one-shot scan).
type PendingEngine struct {
	done chan struct{}
	eng  *policies.Engine
	err  error
}

// LoadAsync starts load (e.g. policies.Load) on a new goroutine.
func LoadAsync(load func() (*policies.Engine, error)) *PendingEngine {
	p := &PendingEngine{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.eng, p.err = load()
	}()
	return p
}

// Wait returns the engine once compiled.
func (p *PendingEngine) Wait() (*policies.Engine, error) {
	<-p.done
	return p.eng, p.err
}

// RunPending is Run with an engine still compiling: the bundle is read and
// normalized first. A policy error wins over a bundle error, as with Load
// followed by Run.
func RunPending(ctx context.Context, p *PendingEngine, opts Options) (*reports.Report, *facts.Document, error) {
	if err := opts.Validate(); err != nil {
		return nil, nil, err
	}
	doc, ferr := Facts(opts.Bundle)
	eng, err := p.Wait()
	if err != nil {
		return nil, nil, err
	}
	if ferr != nil {
		return nil, nil, ferr
	}
	r, err := Evaluate(ctx, eng, doc, opts)
	return r, doc, err
}
