package audit

import "time"

// Checkpoint commits the events of one (tenant, component) series that were
// ingested in [Start, End) to a signed Merkle root. Checkpoints of a series
// are numbered from 1 and chained: each window starts where the previous
// one ended, and Prev is the hash of the previous checkpoint. Package
// checkpoint defines the encodings, the hashes and the signature.
type Checkpoint struct {
	Tenant      string    `json:"tenant"`
	ComponentID string    `json:"componentId"`
	Seq         int64     `json:"seq"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	// Count is the number of events committed, the leaves of the tree.
	Count int64 `json:"count"`
	// Root is the Merkle root of the events' leaf hashes in ingest order
	// (IngestedAt, then ID).
	Root []byte `json:"root"`
	// Prev is the hash of checkpoint Seq-1; empty for the first.
	Prev []byte `json:"prev,omitempty"`
	// KeyID names the signing key; Signature signs the checkpoint's body.
	KeyID     string    `json:"keyId"`
	Signature []byte    `json:"signature"`
	CreatedAt time.Time `json:"createdAt"`
	// Leaves lists each leaf's event id, occurrence time and hash, in
	// order, so that verification can say which events differ. It is not
	// signed: it is trusted only as far as it hashes to Root.
	Leaves []byte `json:"leaves"`
}
