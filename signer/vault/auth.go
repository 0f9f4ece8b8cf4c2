package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/approle"
	"github.com/hashicorp/vault/api/auth/kubernetes"
)

// login authenticates the client as cfg.Auth says and returns the token's
// lease to keep alive, or nil when there is nothing to renew (a token
// without TTL such as a root token, or one that is not renewable).
func (s *Signer) login(ctx context.Context) (*api.Secret, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	a := s.cfg.Auth
	if a.Method == AuthToken {
		s.client.SetToken(a.Token.Reveal())
		sec, err := s.client.Auth().Token().LookupSelfWithContext(ctx)
		if err != nil {
			return nil, classifyLogin("checking the token", s.cfg.Address, err)
		}
		renewable, _ := sec.TokenIsRenewable()
		ttl, _ := sec.TokenTTL()
		if !renewable || ttl <= 0 {
			return nil, nil
		}
		return &api.Secret{Auth: &api.SecretAuth{
			ClientToken:   a.Token.Reveal(),
			Renewable:     true,
			LeaseDuration: int(ttl / time.Second),
		}}, nil
	}

	method, err := loginMethod(a)
	if err != nil {
		return nil, err
	}
	sec, err := s.client.Auth().Login(ctx, method)
	if err != nil {
		return nil, classifyLogin("logging in with "+a.Method, s.cfg.Address, err)
	}
	if sec == nil || sec.Auth == nil || sec.Auth.ClientToken == "" {
		return nil, fmt.Errorf("vault: logging in with %s: %w: Vault returned no token", a.Method, ErrAuth)
	}
	s.log.Info("logged in to Vault", "ttl", time.Duration(sec.Auth.LeaseDuration)*time.Second, "renewable", sec.Auth.Renewable)
	return sec, nil
}

// loginMethod builds the api.AuthMethod of an AppRole or Kubernetes login.
// The Kubernetes service account token is read from its file at every login,
// since Kubernetes rotates projected tokens.
func loginMethod(a Auth) (api.AuthMethod, error) {
	switch a.Method {
	case AuthAppRole:
		var opts []approle.LoginOption
		if a.Path != "" {
			opts = append(opts, approle.WithMountPath(a.Path))
		}
		m, err := approle.NewAppRoleAuth(a.RoleID, &approle.SecretID{FromString: a.SecretID.Reveal()}, opts...)
		if err != nil {
			return nil, fmt.Errorf("%w: approle: %w", ErrConfig, err)
		}
		return m, nil
	case AuthKubernetes:
		opts := []kubernetes.LoginOption{kubernetes.WithServiceAccountTokenPath(a.K8sTokenPath)}
		if a.Path != "" {
			opts = append(opts, kubernetes.WithMountPath(a.Path))
		}
		m, err := kubernetes.NewKubernetesAuth(a.K8sRole, opts...)
		if err != nil {
			return nil, fmt.Errorf("vault: kubernetes login: %w: reading the service account token %s: %w", ErrAuth, a.K8sTokenPath, err)
		}
		return m, nil
	}
	return nil, fmt.Errorf("%w: no login method %q", ErrConfig, a.Method)
}

// classifyLogin is classify for a login, where Vault answers bad
// credentials with 400 (AppRole: "invalid role or secret ID").
func classifyLogin(op, addr string, err error) error {
	var re *api.ResponseError
	if errors.As(err, &re) && re.StatusCode == http.StatusBadRequest {
		return &vaultError{op: op, kinds: []error{ErrAuth}, cause: err,
			msg: fmt.Sprintf("%s (Vault answered %d: %s)", bare(ErrAuth), re.StatusCode, vaultSaid(re))}
	}
	return classify(op, addr, err)
}

// keepAlive renews the token while it can and, for AppRole and Kubernetes,
// logs in again when it cannot, until ctx is done.
func (s *Signer) keepAlive(ctx context.Context, lease *api.Secret) {
	defer close(s.stopped)
	for {
		if lease == nil || lease.Auth == nil || lease.Auth.LeaseDuration <= 0 {
			return // nothing expires
		}
		err := s.watch(ctx, lease)
		if ctx.Err() != nil {
			return
		}
		if s.cfg.Auth.Method == AuthToken {
			s.log.Warn("the Vault token can no longer be renewed; signing fails once it expires", "error", err)
			return
		}
		s.log.Info("the Vault token reached its end of life; logging in again", "error", err)
		lease = s.relogin(ctx)
	}
}

// watch runs an api.LifetimeWatcher on lease until it stops renewing.
func (s *Signer) watch(ctx context.Context, lease *api.Secret) error {
	w, err := s.client.NewLifetimeWatcher(&api.LifetimeWatcherInput{Secret: lease})
	if err != nil {
		return fmt.Errorf("vault: starting token renewal: %w", err)
	}
	go w.Start()
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-w.DoneCh():
			return err
		case r := <-w.RenewCh():
			ttl := time.Duration(0)
			if r != nil && r.Secret != nil && r.Secret.Auth != nil {
				ttl = time.Duration(r.Secret.Auth.LeaseDuration) * time.Second
			}
			s.log.Debug("renewed the Vault token", "ttl", ttl)
		}
	}
}

// relogin logs in until it succeeds or ctx is done, waiting 1s, 2s, 4s...
// (at most 30s) between attempts.
func (s *Signer) relogin(ctx context.Context) *api.Secret {
	wait := time.Second
	for {
		lease, err := s.login(ctx)
		if err == nil {
			return lease
		}
		s.log.Error("logging in to Vault again failed", "error", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}
