// Package record is the step of the event's path between the guard and the
// acknowledgement: an allowed action becomes an Intent, recorded in the
// FIREBREAK_ACTIONS bucket before the detection message is acknowledged.
// From then on the record, not redelivery, carries the action to the
// chain: engine/submit reads, advances and resumes records (Record, State,
// Attempt), and a restarted or another engine finds every unfinished one
// (Store.Unfinished, Store.WatchUpdates).
//
// Recording the same intent twice is detected (Store.Create reports that it
// already existed), which is what keeps one event from acting twice.
package record
