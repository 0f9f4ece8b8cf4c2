package chaos

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// gateMode is what the TCP gate in front of the RPC node does.
type gateMode int

const (
	gatePass gateMode = iota // forwards to the node
	gateHang                 // accepts and never answers: a hung node
	gateDown                 // not listening: connections are refused
)

func (m gateMode) String() string {
	return [...]string{"pass", "hang", "down"}[m]
}

// gate is a TCP proxy on a fixed loopback address in front of a target.
// Changing the mode cuts every open connection, so that no kept-alive
// connection slips past a fault, except that the connections a hang
// swallowed stay open and silent after it: only a deadline frees a call
// waiting on one.
type gate struct {
	t      *testing.T
	addr   string
	target string

	mu    sync.Mutex
	mode  gateMode
	ln    net.Listener
	conns map[net.Conn]struct{}
}

func startGate(t *testing.T, target string) *gate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{t: t, addr: ln.Addr().String(), target: target, conns: map[net.Conn]struct{}{}}
	g.serve(ln)
	t.Cleanup(func() { g.set(gateDown) })
	return g
}

func (g *gate) serve(ln net.Listener) {
	g.mu.Lock()
	g.ln = ln
	g.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go g.handle(c)
		}
	}()
}

func (g *gate) track(c net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.mode == gateDown {
		return false
	}
	g.conns[c] = struct{}{}
	return true
}

func (g *gate) untrack(c net.Conn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
	_ = c.Close()
}

func (g *gate) handle(c net.Conn) {
	if !g.track(c) {
		_ = c.Close()
		return
	}
	defer g.untrack(c)
	g.mu.Lock()
	mode := g.mode
	g.mu.Unlock()
	if mode == gateHang {
		// Read and discard until the mode changes and cuts the connection.
		_, _ = io.Copy(io.Discard, c)
		return
	}
	up, err := net.DialTimeout("tcp", g.target, 5*time.Second)
	if err != nil {
		return
	}
	if !g.track(up) {
		_ = up.Close()
		return
	}
	defer g.untrack(up)
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(up, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, up); done <- struct{}{} }()
	<-done
}

// set changes the mode: open connections are cut; down closes the
// listener, and leaving down listens again on the same address.
func (g *gate) set(m gateMode) {
	g.mu.Lock()
	prev := g.mode
	g.mode = m
	// A hung node that recovers answers new connections; the requests it
	// swallowed stay unanswered on theirs. Every other change cuts the
	// open connections.
	if !(prev == gateHang && m == gatePass) {
		for c := range g.conns {
			_ = c.Close()
			delete(g.conns, c)
		}
	}
	if m == gateDown && prev != gateDown {
		_ = g.ln.Close()
	}
	g.mu.Unlock()
	if prev == gateDown && m != gateDown {
		for {
			ln, err := net.Listen("tcp", g.addr)
			if err == nil {
				g.serve(ln)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
