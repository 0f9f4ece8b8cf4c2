package vault

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/hashicorp/vault/api"

	"github.com/firebreak-dev/firebreak/signer"
)

// Signer is a signer.Signer whose key is held by Vault.
type Signer struct {
	cfg     Config
	client  *api.Client
	log     *slog.Logger
	address common.Address
	keys    keySource

	stop     context.CancelFunc
	stopped  chan struct{}
	stopOnce sync.Once
}

var _ signer.Signer = (*Signer)(nil)

// keySource signs for a Signer in one mode. Its results are checked by the
// Signer before they are returned.
type keySource interface {
	signDigest(ctx context.Context, digest [32]byte) ([]byte, error)
	signTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error)
}

// New logs in to Vault, resolves the signer's address (plugin mode: reads
// the key's address from the plugin; kv mode: derives it from the key) and,
// for a renewable token or a login method, starts renewing the token in the
// background until Close.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (*Signer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	client, err := newClient(cfg)
	if err != nil {
		return nil, err
	}
	s := &Signer{
		cfg:     cfg,
		client:  client,
		log:     logger.With("vault", cfg.Address, "mode", cfg.Mode, "auth", cfg.Auth.Method),
		stopped: make(chan struct{}),
	}

	lease, err := s.login(ctx)
	if err != nil {
		return nil, err
	}
	switch cfg.Mode {
	case ModePlugin:
		p := &pluginKeys{s: s, keyPath: cfg.Mount + "/keys/" + cfg.Key, signPath: cfg.Mount + "/keys/" + cfg.Key + "/sign"}
		s.address, err = p.address(ctx)
		s.keys = p
	case ModeKV:
		k := &kvKeys{s: s}
		s.address, err = k.address(ctx)
		s.keys = k
	}
	if err != nil {
		return nil, err
	}
	s.log = s.log.With("address", s.address.Hex())

	renewCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = cancel
	go s.keepAlive(renewCtx, lease)
	s.log.Info("vault signer ready")
	return s, nil
}

// newClient builds the API client: per-request timeout, retries of 5xx and
// connection errors only, and no token taken from the environment.
func newClient(cfg Config) (*api.Client, error) {
	c := api.DefaultConfig()
	if c.Error != nil {
		return nil, fmt.Errorf("%w: Vault client defaults: %w", ErrConfig, c.Error)
	}
	c.Address = cfg.Address
	c.Timeout = cfg.Timeout
	c.MaxRetries = cfg.MaxRetries
	c.MinRetryWait = 50 * time.Millisecond
	c.MaxRetryWait = 500 * time.Millisecond
	c.CheckRetry = retryPolicy
	if cfg.CACert != "" {
		if err := c.ConfigureTLS(&api.TLSConfig{CACert: cfg.CACert}); err != nil {
			return nil, fmt.Errorf("%w: CACert %s: %w", ErrConfig, cfg.CACert, err)
		}
	}
	client, err := api.NewClient(c)
	if err != nil {
		return nil, fmt.Errorf("%w: Vault client: %w", ErrConfig, err)
	}
	client.ClearToken() // NewClient reads VAULT_TOKEN; the Config is the only source.
	return client, nil
}

// Address is the account of the key.
func (s *Signer) Address() common.Address { return s.address }

// SignDigest signs digest; the signature is checked to recover to Address.
func (s *Signer) SignDigest(ctx context.Context, digest [32]byte) ([]byte, error) {
	var sig []byte
	err := s.withLogin(ctx, func(ctx context.Context) (err error) {
		sig, err = s.keys.signDigest(ctx, digest)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := verifyDigest(digest, sig, s.address); err != nil {
		return nil, err
	}
	return sig, nil
}

// SignTx signs tx for chainID with the London signer rules; the signed
// transaction is checked to be tx and to come from Address.
func (s *Signer) SignTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error) {
	if tx == nil || chainID == nil || chainID.Sign() <= 0 {
		return nil, errors.New("vault: SignTx needs a transaction and a positive chain id")
	}
	if tx.Type() != types.LegacyTxType && tx.ChainId().Cmp(chainID) != 0 {
		return nil, fmt.Errorf("vault: transaction chain id %v, signing for %v: %w", tx.ChainId(), chainID, types.ErrInvalidChainId)
	}
	var signed *types.Transaction
	err := s.withLogin(ctx, func(ctx context.Context) (err error) {
		signed, err = s.keys.signTx(ctx, tx, chainID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := verifyTx(tx, signed, chainID, s.address); err != nil {
		return nil, err
	}
	return signed, nil
}

// withLogin runs op with the request timeout. If Vault refuses the token
// and the Signer can log in by itself (AppRole, Kubernetes), it logs in
// again and runs op once more: a token can expire between two renewals.
func (s *Signer) withLogin(ctx context.Context, op func(context.Context) error) error {
	attempt := func() error {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
		defer cancel()
		return op(ctx)
	}
	err := attempt()
	if !errors.Is(err, ErrAuth) || s.cfg.Auth.Method == AuthToken {
		return err
	}
	s.log.Warn("Vault refused the token; logging in again", "error", err)
	if _, lerr := s.login(ctx); lerr != nil {
		return fmt.Errorf("%w (logging in again: %w)", err, lerr)
	}
	return attempt()
}

// Close stops the token renewal. It does not revoke the token.
func (s *Signer) Close() error {
	s.stopOnce.Do(func() {
		s.stop()
		<-s.stopped
	})
	return nil
}

// verifyDigest checks that sig is a 65-byte [R || S || V] signature of
// digest, V in {0, 1}, by the key of want.
func verifyDigest(digest [32]byte, sig []byte, want common.Address) error {
	if len(sig) != crypto.SignatureLength || sig[crypto.RecoveryIDOffset] > 1 {
		return fmt.Errorf("%w: got %d bytes, want 65 with V in {0, 1}", signer.ErrWrongSignature, len(sig))
	}
	pub, err := crypto.SigToPub(digest[:], sig)
	if err != nil {
		return fmt.Errorf("%w: %v", signer.ErrWrongSignature, err)
	}
	if got := crypto.PubkeyToAddress(*pub); got != want {
		return fmt.Errorf("%w: recovers to %v, want %v", signer.ErrWrongSignature, got, want)
	}
	return nil
}

// verifyTx checks that signed is tx, signed for chainID by want.
func verifyTx(tx, signed *types.Transaction, chainID *big.Int, want common.Address) error {
	londonSigner := types.NewLondonSigner(chainID)
	if signed.Type() != tx.Type() || londonSigner.Hash(signed) != londonSigner.Hash(tx) {
		return fmt.Errorf("%w: the signed transaction is not the one that was asked for", signer.ErrWrongSignature)
	}
	got, err := types.Sender(londonSigner, signed)
	if err != nil {
		return fmt.Errorf("%w: %v", signer.ErrWrongSignature, err)
	}
	if got != want {
		return fmt.Errorf("%w: transaction sender %v, want %v", signer.ErrWrongSignature, got, want)
	}
	return nil
}

// pluginKeys signs through firebreak-vault-plugin: the key stays in Vault.
type pluginKeys struct {
	s                 *Signer
	keyPath, signPath string
}

func (p *pluginKeys) address(ctx context.Context) (common.Address, error) {
	ctx, cancel := context.WithTimeout(ctx, p.s.cfg.Timeout)
	defer cancel()
	op := "reading key " + p.s.cfg.Key + " at " + p.s.cfg.Mount
	sec, err := p.s.client.Logical().ReadWithContext(ctx, p.keyPath)
	if err != nil {
		return common.Address{}, classify(op, p.s.cfg.Address, err)
	}
	if sec == nil {
		return common.Address{}, fmt.Errorf("vault: %s: %w: Vault has no key %q at mount %q", op, signer.ErrNoKey, p.s.cfg.Key, p.s.cfg.Mount)
	}
	a, _ := sec.Data["address"].(string)
	if !common.IsHexAddress(a) {
		return common.Address{}, fmt.Errorf("vault: %s: the plugin returned no address (is %q a firebreak-vault-plugin mount?)", op, p.s.cfg.Mount)
	}
	return common.HexToAddress(a), nil
}

func (p *pluginKeys) sign(ctx context.Context, op string, data map[string]any, field string) ([]byte, error) {
	sec, err := p.s.client.Logical().WriteWithContext(ctx, p.signPath, data)
	if err != nil {
		return nil, classify(op, p.s.cfg.Address, err)
	}
	if sec == nil {
		return nil, fmt.Errorf("vault: %s: empty answer from %s", op, p.signPath)
	}
	h, _ := sec.Data[field].(string)
	b, err := hexutil.Decode(h)
	if err != nil {
		return nil, fmt.Errorf("vault: %s: %w: %s is not 0x-hex", op, signer.ErrWrongSignature, field)
	}
	return b, nil
}

func (p *pluginKeys) signDigest(ctx context.Context, digest [32]byte) ([]byte, error) {
	return p.sign(ctx, "signing a digest with key "+p.s.cfg.Key, map[string]any{"digest": hexutil.Encode(digest[:])}, "signature")
}

func (p *pluginKeys) signTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error) {
	if tx.Type() != types.DynamicFeeTxType || len(tx.AccessList()) > 0 {
		// The plugin's transaction path carries EIP-1559 transactions
		// without access lists; the others are signed as their London
		// signing hash.
		return signHash(ctx, tx, chainID, p.signDigest)
	}
	data := map[string]any{
		"chain_id":                 chainID.String(),
		"nonce":                    fmt.Sprint(tx.Nonce()),
		"value":                    tx.Value().String(),
		"gas":                      fmt.Sprint(tx.Gas()),
		"max_fee_per_gas":          tx.GasFeeCap().String(),
		"max_priority_fee_per_gas": tx.GasTipCap().String(),
		"data":                     hexutil.Encode(tx.Data()),
	}
	if to := tx.To(); to != nil {
		data["to"] = to.Hex()
	}
	raw, err := p.sign(ctx, fmt.Sprintf("signing transaction nonce %d with key %s", tx.Nonce(), p.s.cfg.Key), data, "signed_transaction")
	if err != nil {
		return nil, err
	}
	signed := new(types.Transaction)
	if err := signed.UnmarshalBinary(raw); err != nil {
		return nil, fmt.Errorf("vault: %w: the plugin returned an undecodable transaction: %v", signer.ErrWrongSignature, err)
	}
	return signed, nil
}

// signHash signs tx's London signing hash with signDigest.
func signHash(ctx context.Context, tx *types.Transaction, chainID *big.Int, signDigest func(context.Context, [32]byte) ([]byte, error)) (*types.Transaction, error) {
	londonSigner := types.NewLondonSigner(chainID)
	sig, err := signDigest(ctx, londonSigner.Hash(tx))
	if err != nil {
		return nil, err
	}
	signed, err := tx.WithSignature(londonSigner, sig)
	if err != nil {
		return nil, fmt.Errorf("vault: %w: %v", signer.ErrWrongSignature, err)
	}
	return signed, nil
}

// kvKeys reads the key from a KV v2 secret for every signature and zeroes
// it right after use.
type kvKeys struct {
	s *Signer
}

// withKey reads the key, calls use, and zeroes the key.
func (k *kvKeys) withKey(ctx context.Context, use func(*ecdsa.PrivateKey) error) error {
	cfg := k.s.cfg
	op := "reading the key at " + cfg.KVMount + "/" + cfg.KVPath
	sec, err := k.s.client.KVv2(cfg.KVMount).Get(ctx, cfg.KVPath)
	if errors.Is(err, api.ErrSecretNotFound) {
		return fmt.Errorf("vault: %s: %w: no secret there", op, signer.ErrNoKey)
	}
	if err != nil {
		return classify(op, cfg.Address, err)
	}
	h, ok := sec.Data[cfg.KVField].(string)
	delete(sec.Data, cfg.KVField)
	if !ok || h == "" {
		return fmt.Errorf("vault: %s: %w: the secret has no string field %q", op, signer.ErrNoKey, cfg.KVField)
	}
	h = strings.TrimPrefix(strings.TrimSpace(h), "0x")
	raw := make([]byte, len(h)/2)
	defer clear(raw)
	if len(h) != 64 {
		return fmt.Errorf("vault: %s: %w: field %q is not 32 hex bytes", op, signer.ErrBadKey, cfg.KVField)
	}
	src := []byte(h)
	defer clear(src)
	if _, err := hex.Decode(raw, src); err != nil {
		return fmt.Errorf("vault: %s: %w: field %q is not 32 hex bytes", op, signer.ErrBadKey, cfg.KVField)
	}
	key, err := crypto.ToECDSA(raw)
	if err != nil {
		return fmt.Errorf("vault: %s: %w: field %q is not a secp256k1 private key", op, signer.ErrBadKey, cfg.KVField)
	}
	defer clear(key.D.Bits())
	return use(key)
}

func (k *kvKeys) address(ctx context.Context) (common.Address, error) {
	ctx, cancel := context.WithTimeout(ctx, k.s.cfg.Timeout)
	defer cancel()
	var a common.Address
	err := k.withKey(ctx, func(key *ecdsa.PrivateKey) error {
		a = crypto.PubkeyToAddress(key.PublicKey)
		return nil
	})
	return a, err
}

func (k *kvKeys) signDigest(ctx context.Context, digest [32]byte) ([]byte, error) {
	var sig []byte
	err := k.withKey(ctx, func(key *ecdsa.PrivateKey) (err error) {
		sig, err = crypto.Sign(digest[:], key)
		return err
	})
	return sig, err
}

func (k *kvKeys) signTx(ctx context.Context, tx *types.Transaction, chainID *big.Int) (*types.Transaction, error) {
	var signed *types.Transaction
	err := k.withKey(ctx, func(key *ecdsa.PrivateKey) (err error) {
		signed, err = types.SignTx(tx, types.NewLondonSigner(chainID), key)
		return err
	})
	return signed, err
}
