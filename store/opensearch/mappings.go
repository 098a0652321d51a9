package opensearch

// The mappings are explicit and strict: a document with a field nobody
// mapped is rejected rather than growing the mapping, and module metadata
// (details) is a flat_object so it cannot add fields either.

type obj = map[string]any

// wordsAnalyzer splits on whitespace only: the words fields hold text
// already split into words by audit.Words, the tokenizer the query parser
// and the embedded store use, so both stores agree on what a word is by
// construction, and no analysis plugin is needed on the cluster.
const wordsAnalyzer = "whitespace"

// Field types are built anew by each call, so that no mapping shares a map
// with another (and there is no package-level mutable state).

func keyword() obj { return obj{"type": "keyword"} }
func date() obj    { return obj{"type": "date"} }
func long() obj    { return obj{"type": "long"} }
func boolean() obj { return obj{"type": "boolean"} }

// stored is kept in _source only: neither searched nor sorted on.
func stored() obj { return obj{"type": "keyword", "index": false, "doc_values": false} }

// opaqueObj is an object kept in _source only, whose fields map nothing.
func opaqueObj() obj { return obj{"type": "object", "enabled": false} }

// words is text already split into words (see wordsAnalyzer).
func words() obj {
	return obj{"type": "text", "analyzer": wordsAnalyzer, "norms": false, "index_options": "positions"}
}

// lowercaseNormalizer makes keyword subfields match regardless of case;
// term queries on them are normalized the same way. (A case_insensitive
// term query folds ASCII only.)
const lowercaseNormalizer = "auditlog_lowercase"

func normalizers() obj {
	return obj{"normalizer": obj{lowercaseNormalizer: obj{"type": "custom", "filter": []string{"lowercase"}}}}
}

// anyCase is a keyword with a lower-cased subfield "lower".
func anyCase() obj {
	return obj{"type": "keyword", "fields": obj{"lower": obj{"type": "keyword", "normalizer": lowercaseNormalizer}}}
}

func userMapping() obj {
	return obj{"properties": obj{
		"type":          keyword(),
		"id":            keyword(),
		"name":          anyCase(),
		"email":         anyCase(),
		"ipAddress":     obj{"type": "ip"},
		"userAgent":     obj{"type": "keyword", "ignore_above": 1024},
		"accountStatus": keyword(),
	}}
}

// eventMapping is the mapping of every index of every event series.
func eventMapping() obj {
	return obj{
		"dynamic": "strict",
		"properties": obj{
			"id":            keyword(),
			"tenant":        keyword(),
			"componentId":   keyword(),
			"submodule":     keyword(),
			"eventType":     keyword(),
			"eventTypeName": obj{"type": "keyword", "ignore_above": 256},
			"area":          keyword(),
			"description":   obj{"type": "keyword", "ignore_above": 256},
			"priority":      keyword(),
			"priorityRank":  obj{"type": "integer"},
			"status":        keyword(),
			"actionUser":    userMapping(),
			"targetUser":    userMapping(),
			"occurredAt":    date(),
			"ingestedAt":    date(),
			"redirectUrl":   stored(),
			"details":       obj{"type": "flat_object"},
			// words is for searching. It stays in _source, which is
			// written whole (also by flags) and read whole (see search).
			"words": obj{"properties": obj{
				"description":   words(),
				"eventTypeName": words(),
			}},
			"flag": obj{"properties": obj{
				"by":   userMapping(),
				"at":   date(),
				"note": stored(),
			}},
		},
	}
}

// smallIndexMappings are the mappings of the indices that hold everything
// but events, keyed by index suffix.
func smallIndexMappings() map[string]obj {
	strict := func(props obj) obj { return obj{"dynamic": "strict", "properties": props} }
	return map[string]obj{
		configIndex: strict(obj{
			"tenant":         keyword(),
			"componentId":    keyword(),
			"loggingEnabled": boolean(),
			"criteria":       opaqueObj(),
			"updatedAt":      date(),
			"updatedBy":      opaqueObj(),
			"version":        long(),
		}),
		activitiesIndex: strict(obj{
			"tenant":          keyword(),
			"componentId":     keyword(),
			"code":            keyword(),
			"name":            keyword(),
			"area":            keyword(),
			"defaultPriority": keyword(),
		}),
		statsIndex: strict(obj{
			"tenant":      keyword(),
			"componentId": keyword(),
			"version":     long(),
			"captured":    long(),
			"suppressed":  opaqueObj(),
		}),
		keysIndex: strict(obj{
			"id":   keyword(),
			"hash": keyword(),
			"principal": obj{"properties": obj{
				"tenant":     keyword(),
				"user":       opaqueObj(),
				"role":       keyword(),
				"keyId":      keyword(),
				"components": keyword(),
			}},
			"createdAt":  date(),
			"lastUsedAt": date(),
			"revokedAt":  date(),
		}),
		savedFiltersIndex: strict(obj{
			"id":          keyword(),
			"tenant":      keyword(),
			"ownerId":     keyword(),
			"name":        keyword(),
			"description": stored(),
			"filter":      opaqueObj(),
			"createdAt":   date(),
			"updatedAt":   date(),
		}),
		checkpointsIndex: strict(obj{
			"tenant":      keyword(),
			"componentId": keyword(),
			"seq":         long(),
			"start":       date(),
			"end":         date(),
			"count":       long(),
			"root":        obj{"type": "binary"},
			"prev":        obj{"type": "binary"},
			"keyId":       keyword(),
			"signature":   obj{"type": "binary"},
			"createdAt":   date(),
			"leaves":      obj{"type": "binary"},
		}),
		notificationsIndex: strict(obj{
			"id":          keyword(),
			"tenant":      keyword(),
			"recipient":   obj{"properties": obj{"type": keyword(), "id": keyword(), "name": anyCase(), "email": anyCase(), "ipAddress": keyword(), "userAgent": stored(), "accountStatus": keyword()}},
			"eventId":     keyword(),
			"eventType":   keyword(),
			"componentId": keyword(),
			"flaggedBy":   opaqueObj(),
			"flaggedAt":   date(),
			"note":        stored(),
			"readAt":      date(),
		}),
	}
}

// Suffixes of the small indices, after "<prefix>-".
const (
	configIndex        = "config"
	activitiesIndex    = "activities"
	statsIndex         = "stats"
	keysIndex          = "keys"
	savedFiltersIndex  = "saved-filters"
	notificationsIndex = "notifications"
	checkpointsIndex   = "checkpoints"
)
