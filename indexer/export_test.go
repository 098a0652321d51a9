package indexer

// SetQueueHooks makes ix call waiting when an Ingest call holds the queue's
// lock and is about to wait for room, and queued once its events are in the
// queue, so tests can wait for that instead of sleeping. Call it before any
// Ingest.
func SetQueueHooks(ix *Indexer, waiting, queued func()) {
	ix.hooks = hooks{waiting: waiting, queued: queued}
}
