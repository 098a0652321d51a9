package opensearch_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auditlog/auditlog/store"
	"github.com/auditlog/auditlog/store/storetest"
)

func TestTamperEvidence(t *testing.T) {
	storetest.RunTamper(t, func(t *testing.T) (store.Store, storetest.Raw) {
		s, base, prefix := newStore(t)
		return s, rawREST{base: base, prefix: prefix}
	})
}

// rawREST changes the indices with REST calls, behind the store's API.
type rawREST struct{ base, prefix string }

func (r rawREST) call(t *testing.T, method, path string, body any, counter string) {
	t.Helper()
	status, out := rest(t, method, r.base+path, body)
	if status >= 300 {
		t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	if n, _ := out[counter].(float64); counter != "" && n == 0 {
		t.Fatalf("%s %s changed nothing: %v", method, path, out)
	}
}

func eventQuery(tenant string, filters ...map[string]any) map[string]any {
	return map[string]any{"bool": map[string]any{"filter": append(filters, map[string]any{"term": map[string]any{"tenant": tenant}})}}
}

func (r rawREST) events(tenant string) string { return "/" + r.prefix + "-events-" + tenant + "-*" }

// docs returns the index and id of every event document matching query.
// (The node may lack the reindex module, and with it update and delete by
// query, so documents are changed one by one, as a person would.)
func (r rawREST) docs(t *testing.T, tenant string, query map[string]any) [][2]string {
	t.Helper()
	status, out := rest(t, http.MethodPost, r.base+r.events(tenant)+"/_search", map[string]any{"size": 1000, "query": query})
	if status != http.StatusOK {
		t.Fatalf("search %s: %d %v", tenant, status, out)
	}
	var docs [][2]string
	hits, _ := out["hits"].(map[string]any)["hits"].([]any)
	for _, h := range hits {
		m := h.(map[string]any)
		docs = append(docs, [2]string{m["_index"].(string), m["_id"].(string)})
	}
	if len(docs) == 0 {
		t.Fatalf("no event of %s matches %v", tenant, query)
	}
	return docs
}

func (r rawREST) SetActorName(t *testing.T, tenant, id, name string) {
	for _, d := range r.docs(t, tenant, eventQuery(tenant, map[string]any{"term": map[string]any{"id": id}})) {
		r.call(t, http.MethodPost, "/"+d[0]+"/_update/"+url.PathEscape(d[1])+"?refresh=true",
			map[string]any{"doc": map[string]any{"actionUser": map[string]any{"name": name}}}, "")
	}
}

func (r rawREST) DeleteEvent(t *testing.T, tenant, id string) {
	for _, d := range r.docs(t, tenant, eventQuery(tenant, map[string]any{"term": map[string]any{"id": id}})) {
		r.call(t, http.MethodDelete, "/"+d[0]+"/_doc/"+url.PathEscape(d[1])+"?refresh=true", nil, "")
	}
}

func (r rawREST) checkpoint(tenant, component string, seq int64) string {
	return url.PathEscape(strings.Join([]string{tenant, component, itoa(seq)}, "/"))
}

func (r rawREST) DeleteCheckpoint(t *testing.T, tenant, component string, seq int64) {
	r.call(t, http.MethodDelete, "/"+r.prefix+"-checkpoints/_doc/"+r.checkpoint(tenant, component, seq)+"?refresh=true", nil, "")
}

func (r rawREST) SetCheckpointCount(t *testing.T, tenant, component string, seq, count int64) {
	r.call(t, http.MethodPost, "/"+r.prefix+"-checkpoints/_update/"+r.checkpoint(tenant, component, seq)+"?refresh=true",
		map[string]any{"doc": map[string]any{"count": count}}, "")
}

// Expire deletes the expired events one by one, where ISM deletes whole
// indices: the events gone are the same when the series rolled over at the
// cutoff.
func (r rawREST) Expire(t *testing.T, tenant, component string, cutoff time.Time) {
	query := eventQuery(tenant,
		map[string]any{"term": map[string]any{"componentId": component}},
		map[string]any{"range": map[string]any{"occurredAt": map[string]any{"lt": cutoff.UTC().Format(time.RFC3339Nano)}}})
	for _, d := range r.docs(t, tenant, query) {
		r.call(t, http.MethodDelete, "/"+d[0]+"/_doc/"+url.PathEscape(d[1])+"?refresh=true", nil, "")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
