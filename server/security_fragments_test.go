package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/audit"
	"github.com/auditlog/auditlog/server"
)

// fragmentBomb returns `{ ...F0 }` with n fragments on Query, each
// spreading the next one twice, the last selecting leaf: about 37 bytes a
// fragment, selecting leaf 2^(n-1) times once expanded.
func fragmentBomb(n int, leaf string) string {
	var b strings.Builder
	b.WriteString("{...F0}")
	for i := range n - 1 {
		fmt.Fprintf(&b, " fragment F%d on Query{...F%d ...F%d}", i, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Query{%s}", n-1, leaf)
	return b.String()
}

// postGuarded posts a query like env.do, but gives up after a minute: a
// server expanding the fragments would take hours to answer, and the test
// should fail rather than hang. It is a guard, not a measure.
func postGuarded(t *testing.T, e *env, key, query string) (int, gqlResponse) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decode response (%d): %v\n%s", resp.StatusCode, err, raw)
	}
	return resp.StatusCode, out
}

// TestFragmentBombIsRefusedUnexpanded: fragments that each spread the next
// twice are refused as over the complexity limit without being expanded,
// on production settings (introspection off: the schema check walks them
// too) and on development ones, and no resolver runs. Smaller fragment
// chains that fit the limit still run.
func TestFragmentBombIsRefusedUnexpanded(t *testing.T) {
	const leaf = `events(filter:{},first:1){totalCount}`
	for _, cfg := range []server.Config{{}, {Introspection: true, Playground: true}} {
		t.Run(fmt.Sprintf("introspection=%v", cfg.Introspection), func(t *testing.T) {
			e, cs := countingEnv(t, cfg)
			viewer := e.key("acme", audit.RoleViewer)
			for _, n := range []int{30, 64} {
				q := fragmentBomb(n, leaf)
				_, resp := postGuarded(t, e, viewer, q)
				if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "BAD_USER_INPUT" ||
					resp.Errors[0].Extensions["reason"] != "COMPLEXITY_LIMIT_EXCEEDED" || !noData(resp.Data) {
					t.Errorf("%d fragments: errors %+v, data %s; want one BAD_USER_INPUT, COMPLEXITY_LIMIT_EXCEEDED", n, resp.Errors, resp.Data)
				}
			}
			if n := cs.calls.Load(); n != 0 {
				t.Errorf("%d store calls for refused operations", n)
			}
			// 2^3 aliases-free spreads of one field merge into one call.
			var ok struct{ Events struct{ TotalCount int } }
			e.query(viewer, fragmentBomb(4, leaf), nil, &ok)
			if cs.calls.Load() == 0 {
				t.Error("a small fragment chain did not run")
			}
		})
	}
}
