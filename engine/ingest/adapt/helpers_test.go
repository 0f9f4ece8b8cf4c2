package adapt

import (
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Test keys and signers: everything a vendor would hold, made here.

var testSecret = []byte("whsec-test-0123456789")

// hmacHex is hex HMAC-SHA256(secret, body || ts).
func hmacHex(secret, body []byte, ts string) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	m.Write([]byte(ts))
	return hex.EncodeToString(m.Sum(nil))
}

// ozHeaders signs body as OpenZeppelin Monitor does, at time at.
func ozHeaders(secret, body []byte, at time.Time) http.Header {
	ts := strconv.FormatInt(at.UnixMilli(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Signature", hmacHex(secret, body, ts))
	h.Set("X-Timestamp", ts)
	return h
}

// tenderlyHeaders signs body as Tenderly does, with an HTTP date at time at.
func tenderlyHeaders(secret, body []byte, at time.Time) http.Header {
	date := at.UTC().Format(http.TimeFormat)
	h := http.Header{}
	h.Set("X-Tenderly-Signature", hmacHex(secret, body, date))
	h.Set("Date", date)
	return h
}

// secpKey returns a fresh secp256k1 key.
func secpKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// detKey returns the secp256k1 key derived from seed: deterministic, for golden files
// that embed a signature.
func detKey(seed string) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(seed)))
	if err != nil {
		panic(err)
	}
	return k
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// fortaJWT makes a scanner JWT as forta-core-go's CreateScannerJWT does: alg ETH, the
// secp256k1 signature of keccak256(header.claims), base64url without padding.
// claims override sub (the key's address), iat, nbf (now-30s) and exp (now+30s).
func fortaJWT(t testing.TB, key *ecdsa.PrivateKey, now time.Time, claims map[string]any) string {
	t.Helper()
	c := map[string]any{
		"jti": "0b0c6d3e-1f6a-11ee-be56-0242ac120002",
		"sub": addrOf(key).Hex(),
		"iat": now.Unix(),
		"nbf": now.Add(-30 * time.Second).Unix(),
		"exp": now.Add(30 * time.Second).Unix(),
	}
	for k, v := range claims {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	hdr, _ := json.Marshal(map[string]string{"alg": "ETH", "typ": "JWT"})
	cl, _ := json.Marshal(c)
	signing := base64.RawURLEncoding.EncodeToString(hdr) + "." + base64.RawURLEncoding.EncodeToString(cl)
	sig, err := crypto.Sign(crypto.Keccak256([]byte(signing)), key)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// fortaBearer returns headers with a scanner JWT.
func fortaBearer(t testing.TB, key *ecdsa.PrivateKey, now time.Time, claims map[string]any) http.Header {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+fortaJWT(t, key, now, claims))
	return h
}

// signFortaAlert fills the signature of a SignedAlert JSON document as forta-core-go's
// SignAlert does: keccak256 of id + sorted "k=v" metadata + timestamp, signed (hashed
// again) with key.
func signFortaAlert(t testing.TB, key *ecdsa.PrivateKey, body []byte) []byte {
	t.Helper()
	var sa map[string]any
	if err := json.Unmarshal(body, &sa); err != nil {
		t.Fatal(err)
	}
	a := sa["alert"].(map[string]any)
	var kv []string
	if md, ok := a["metadata"].(map[string]any); ok {
		for k, v := range md {
			kv = append(kv, k+"="+v.(string))
		}
	}
	sort.Strings(kv)
	h := crypto.Keccak256([]byte(a["id"].(string) + strings.Join(kv, "") + a["timestamp"].(string)))
	sig, err := crypto.Sign(crypto.Keccak256(h), key)
	if err != nil {
		t.Fatal(err)
	}
	sa["signature"] = map[string]any{"signature": "0x" + hex.EncodeToString(sig), "algorithm": "ECDSA", "signer": addrOf(key).Hex()}
	out, err := json.Marshal(sa)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// hypernativeBody signs data as Hypernative does and returns the webhook message.
func hypernativeBody(t testing.TB, key *ecdsa.PrivateKey, id, data string) []byte {
	t.Helper()
	sum := sha256.Sum256([]byte(data))
	sig, err := ecdsa.SignASN1(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]string{"id": id, "data": data, "digitalSignature": base64.StdEncoding.EncodeToString(sig)})
	return b
}
