package graph

import (
	"context"
	"fmt"

	"github.com/auditlog/auditlog/app"
	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/auth"
	"github.com/auditlog/auditlog/errs"
	"github.com/auditlog/auditlog/graph/model"
)

// ingested is the outcome of one ingested input: its result, and the error
// that failed it, with field paths already put under the input's path.
type ingested struct {
	res model.IngestResult
	err error
}

// ingest records inputs for the caller; path names input i in errors
// ("event", "events[3]"). Items fail one by one: a bad or refused item does
// not keep the others from being recorded.
func (r *Resolver) ingest(ctx context.Context, inputs []model.EventInput, path func(i int) string) ([]ingested, error) {
	p, err := auth.Require(ctx, auth.Ingest)
	if err != nil {
		return nil, err
	}
	out := make([]ingested, len(inputs))
	events := make([]audit.Event, 0, len(inputs))
	idx := make([]int, 0, len(inputs))
	for i, in := range inputs {
		ev := eventFromInput(in)
		if err := auth.AuthorizeIngest(p, ev.ComponentID); err != nil {
			out[i] = ingested{res: model.IngestResult{ID: opt(ev.ID)}, err: err}
			continue
		}
		events = append(events, ev)
		idx = append(idx, i)
	}
	if len(events) > 0 {
		for j, res := range r.app.Ingest(ctx, p, events) {
			out[idx[j]] = ingestedOf(path(idx[j]), res)
		}
	}
	r.countIngested(out)
	return out, nil
}

func ingestedOf(path string, res app.IngestResult) ingested {
	out := ingested{res: model.IngestResult{ID: opt(res.ID), Captured: res.Captured, Duplicate: res.Duplicate}}
	if res.Reason != "" {
		reason := res.Reason
		out.res.Reason = &reason
	}
	if res.Err != nil {
		out.res.Captured = false
		out.err = res.Err
		if ie, ok := audit.AsInvalid(res.Err); ok {
			out.err = prefixed(path, ie)
		}
	}
	return out
}

// ingestError is how a failed item of ingestEvents reports its error.
func (r *Resolver) ingestError(ctx context.Context, path string, err error) *model.IngestError {
	code := codeOf(err)
	e := &model.IngestError{Code: code, Message: err.Error(), Fields: []model.FieldError{}}
	switch code {
	case CodeBadUserInput:
		ie, _ := audit.AsInvalid(err)
		for _, f := range ie.Fields {
			e.Fields = append(e.Fields, model.FieldError{Field: f.Field, Message: f.Message})
		}
	case CodeForbidden:
		e.Fields = append(e.Fields, model.FieldError{Field: path + ".componentId", Message: "this API key may not ingest events of this component"})
	default:
		id := r.reqID(ctx)
		r.log.ErrorContext(ctx, "ingest item failed", "request_id", id, "item", path, "err", err)
		e.Code, e.Message = CodeInternal, internalMessage(id)
	}
	return e
}

func (r *Resolver) countIngested(items []ingested) {
	if r.metrics == nil {
		return
	}
	n := map[string]int{}
	for _, it := range items {
		switch {
		case it.err != nil:
			switch codeOf(it.err) {
			case CodeBadUserInput:
				n["invalid"]++
			case CodeForbidden:
				n["forbidden"]++
			default:
				n["failed"]++
			}
		case it.res.Duplicate:
			n["duplicate"]++
		case it.res.Reason != nil:
			n["suppressed"]++
		default:
			n["captured"]++
		}
	}
	for outcome, c := range n {
		r.metrics.Ingested(outcome, c)
	}
}

func (r *Resolver) ingestOne(ctx context.Context, in model.EventInput) (*model.IngestResult, error) {
	out, err := r.ingest(ctx, []model.EventInput{in}, func(int) string { return "event" })
	if err != nil {
		return nil, err
	}
	if err := out[0].err; err != nil {
		if errs.Is(err, errs.Forbidden) {
			err = fmt.Errorf("event.componentId: %w", err)
		}
		return nil, &eventError{id: str(out[0].res.ID), err: err}
	}
	return &out[0].res, nil
}

// eventError is a failure of ingestEvent, which has no result to carry the
// event's id: the error carries it (extensions.id), so that a client whose
// event may have been stored regardless retries with the id, idempotently.
type eventError struct {
	id  string
	err error
}

func (e *eventError) Error() string { return e.err.Error() }
func (e *eventError) Unwrap() error { return e.err }

func (r *Resolver) ingestMany(ctx context.Context, ins []model.EventInput) ([]model.IngestResult, error) {
	if _, err := auth.Require(ctx, auth.Ingest); err != nil {
		return nil, err
	}
	if len(ins) > MaxIngestBatch {
		return nil, invalid("events", "has %d events, at most %d are allowed per call", len(ins), MaxIngestBatch)
	}
	path := func(i int) string { return fmt.Sprintf("events[%d]", i) }
	out, err := r.ingest(ctx, ins, path)
	if err != nil {
		return nil, err
	}
	results := make([]model.IngestResult, len(out))
	for i, it := range out {
		results[i] = it.res
		if it.err != nil {
			results[i].Error = r.ingestError(ctx, path(i), it.err)
		}
	}
	return results, nil
}
