// Package safe is the Safe multisig lane of the event's path, between the
// guard and the submitter. A Runner carries the actions whose signer is a
// Safe: it wraps each allowed call into a Safe transaction (CALL, value 0),
// signs it with the owners the engine holds or takes the transaction the
// owners pre-signed for the Safe's current nonce, and either hands back an
// execTransaction intent for the executor or parks it as an approval for
// the owners who are people (ApprovalStore, `firebreak approve`).
//
// One lane per Safe: its semaphore is held from the nonce read that builds a
// Safe transaction until that transaction is final, so two actions never
// get the same Safe nonce.
package safe
