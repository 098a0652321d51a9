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

// ingestError is how a failed item of ingestEvents reports its error. It
// logs nothing: ingestMany logs a batch's failures once (logFailures).
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
	case CodeUnavailable:
		e.Message = unavailableMessage(r.reqID(ctx))
	default:
		e.Code, e.Message = CodeInternal, internalMessage(r.reqID(ctx))
	}
	return e
}

// logFailures logs the failed items of one ingestEvents call in one line
// per kind, with their count and the first item's error: a batch of 1000
// failing alike is one line, not 1000. Lines are rate-limited too, since
// a failing store fails every batch alike (similar_left_out counts them).
func (r *Resolver) logFailures(ctx context.Context, items []ingested, path func(i int) string) {
	var internal, unavailable int
	var firstInternal, firstUnavailable int
	for i, it := range items {
		if it.err == nil {
			continue
		}
		switch codeOf(it.err) {
		case CodeUnavailable:
			if unavailable == 0 {
				firstUnavailable = i
			}
			unavailable++
		case CodeInternal:
			if internal == 0 {
				firstInternal = i
			}
			internal++
		}
	}
	id := r.reqID(ctx)
	if internal > 0 {
		if ok, skipped := r.quiet.Allow("ingest items failed"); ok {
			r.log.ErrorContext(ctx, "ingest items failed", "request_id", id, "failed", internal, "of", len(items),
				"first", path(firstInternal), "err", items[firstInternal].err, "similar_left_out", skipped)
		}
	}
	if unavailable > 0 {
		r.logUnavailable(ctx, "ingest items not stored: store unavailable", "request_id", id, "items", unavailable,
			"of", len(items), "first", path(firstUnavailable), "err", items[firstUnavailable].err)
	}
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
			case CodeUnavailable:
				n["unavailable"]++
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
	r.logFailures(ctx, out, path)
	results := make([]model.IngestResult, len(out))
	for i, it := range out {
		results[i] = it.res
		if it.err != nil {
			results[i].Error = r.ingestError(ctx, path(i), it.err)
		}
	}
	return results, nil
}
