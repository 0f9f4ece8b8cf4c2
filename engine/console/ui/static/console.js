// firebreak console: keeps the server-rendered page current by polling
// /api/state every 2 seconds, and sends halt and resume with the operator
// token in an Authorization header. No dependency, no build step; every
// value is put into the page as text, never as HTML.
"use strict";

(function () {
  var POLL_MS = 2000;
  var last = {};

  // h builds an element: h("td", {"data-label": "State"}, child, "text", ...).
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else el.setAttribute(k, v === true ? "" : v);
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(el, x); }); return; }
    el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }

  function line(cls) {
    var args = Array.prototype.slice.call(arguments, 1);
    return h.apply(null, ["span", { class: "line" + (cls ? " " + cls : "") }].concat(args));
  }

  function time(s) { return s ? h("time", { datetime: s, text: s }) : ""; }
  function mono(s, cls) { return h("span", { class: "mono" + (cls ? " " + cls : ""), text: s }); }

  // link is an explorer link when the server gave one (http or https only).
  function link(url, text, cls) {
    if (url && /^https?:\/\//.test(url)) {
      return h("a", { class: "mono" + (cls ? " " + cls : ""), href: url, target: "_blank", rel: "noopener noreferrer", text: text });
    }
    return mono(text, cls);
  }

  function table(labelledBy, heads, rows) {
    return h("div", { class: "scroll", tabindex: "0", role: "region", "aria-labelledby": labelledBy },
      h("table", { class: "cards" },
        h("thead", null, h("tr", null, heads.map(function (t) { return h("th", { scope: "col", text: t }); }))),
        h("tbody", null, rows)));
  }

  function td(label) {
    var args = Array.prototype.slice.call(arguments, 1);
    return h.apply(null, ["td", { "data-label": label }].concat(args));
  }

  function empty(text) { return h("p", { class: "empty", text: text }); }

  function renderKillSwitch(ks) {
    if (ks.halted) {
      return h("p", { class: "state bad" }, h("strong", { text: "Halted" }), ": firebreak takes no action. Reason: ",
        h("q", { text: ks.reason || "" }), ks.by ? ", by " + ks.by : "", ks.since ? [", since ", time(ks.since)] : "", ".");
    }
    if (ks.error) return h("p", { class: "state warn", text: "The kill switch could not be read: " + ks.error });
    return h("p", { class: "state good", text: "Not set: firebreak acts on events as its policies decide." });
  }

  function renderEvents(events) {
    if (!events.length) return empty("No event handled yet.");
    return table("h-events", ["Received", "Event", "Decision and reasons", "Actions asked for"], events.map(function (e) {
      var decision = [];
      if (e.decision_error) decision.push(h("p", { class: "bad", text: "The policies failed: " + e.decision_error }));
      if (e.rules.length) {
        decision.push(line("", e.rules.map(function (r) { return [h("span", { class: "tag", text: r }), " "]; })));
      } else if (!e.decision_error) {
        decision.push(line("muted", "no rule fired"));
      }
      if (e.require_approval) decision.push(line("", h("span", { class: "tag warn", text: "requires approval" })));
      if (e.reasons.length) decision.push(h("ul", { class: "reasons" }, e.reasons.map(function (r) { return h("li", { text: r }); })));
      var verdicts = e.verdicts.length ? h("ul", { class: "verdicts" }, e.verdicts.map(function (v) {
        return h("li", null, h("span", { class: "outcome o-" + v.outcome, text: v.outcome }), " " + v.type + " " + v.target,
          v.reason ? ": " + v.reason : "",
          v.action_id ? [" ", h("a", { href: "#action-" + v.action_id, text: "action" })] : "",
          v.approval ? [" ", h("a", { href: "#approval-" + v.approval, text: "approval" })] : "");
      })) : h("span", { class: "muted", text: "none" });
      return h("tr", { id: "event-" + e.id },
        td("Received", time(e.received_at)),
        td("Event", mono(e.id),
          line("", h("span", { class: "sev sev-" + e.severity, text: e.severity }), " " + e.alert_type + " on ",
            h("strong", { text: e.protocol }), " (chain " + e.chain + ")"),
          line("muted", "confidence " + e.confidence + " · from " + e.source),
          e.title ? line("", e.title) : ""),
        td("Decision", decision),
        td("Actions", verdicts));
    }));
  }

  function renderActions(actions) {
    if (!actions.length) return empty("No action recorded yet.");
    return table("h-actions", ["Created", "Action", "State", "Transaction", "Fees", "Attempts"], actions.map(function (a) {
      var state = [h("span", { class: "state-tag s-" + a.state + (a.reverted ? " s-reverted" : ""), text: a.state + (a.reverted ? " (reverted)" : "") })];
      if (a.confirmations) state.push(line("muted", a.confirmations + " confirmation" + (a.confirmations > 1 ? "s" : "")));
      if (a.bumps || a.reorgs) state.push(line("muted", a.bumps + " bumps · " + a.reorgs + " reorgs"));
      if (a.warning) state.push(line("warn", a.warning));
      if (a.error) state.push(line("bad", a.error));
      var tx = [a.tx_hash ? line("", link(a.tx_url, a.tx_hash, "tx")) : line("muted", "not signed yet")];
      if (a.nonce) tx.push(line("muted", "nonce " + a.nonce, a.from ? [" from ", mono(a.from)] : ""));
      if (a.block) {
        tx.push(line("", "block ", a.block_url ? h("a", { href: a.block_url, target: "_blank", rel: "noopener noreferrer", text: a.block }) : a.block,
          a.mined_at ? [" at ", time(a.mined_at)] : ""));
      }
      var fees = a.max_fee_gwei ? [line("fee", "max " + a.max_fee_gwei + " gwei"), line("fee", "tip " + a.tip_gwei + " gwei")] : [h("span", { class: "muted", text: "—" })];
      if (a.gas_used) fees.push(line("muted", a.gas_used + " gas used"));
      var attempts = a.attempts.length ? h("details", { "data-key": "attempts-" + a.id },
        h("summary", { text: a.attempts.length + " attempt" + (a.attempts.length > 1 ? "s" : "") }),
        h("ol", { class: "attempts" }, a.attempts.map(function (t) {
          return h("li", null, link(t.url, t.hash), " ", h("span", { class: "muted" },
            "nonce " + t.nonce + " · max " + t.max_fee_gwei + " / tip " + t.tip_gwei + " gwei · gas " + t.gas_limit + " · " + t.status +
            (t.reason ? " · " + t.reason : "") + " · ", time(t.at)));
        }))) : h("span", { class: "muted", text: "none" });
      return h("tr", { id: "action-" + a.id },
        td("Created", time(a.created_at)),
        td("Action", line("", h("strong", { text: a.type }), " ", mono(a.call)),
          line("", "on ", link(a.to_url, a.to), " (chain " + a.chain + ")"),
          line("muted", a.protocol + " · signer " + a.signer + " · event ", mono(a.event_id)),
          line("muted mono", a.id)),
        td("State", state), td("Transaction", tx), td("Fees", fees), td("Attempts", attempts));
    }));
  }

  function renderApprovals(approvals) {
    if (!approvals.length) return empty("No approval waiting.");
    return table("h-approvals", ["Created", "Call", "Safe", "Signatures", "State", "Why it waits"], approvals.map(function (a) {
      return h("tr", { id: "approval-" + a.id },
        td("Created", time(a.created_at)),
        td("Call", line("mono", a.call), line("muted", "on ", mono(a.to), " (chain " + a.chain + ") · " + a.protocol), line("muted mono", a.id)),
        td("Safe", link(a.safe_url, a.safe), line("muted", "Safe nonce " + a.nonce)),
        td("Signatures", a.signatures),
        td("State", h("span", { class: "state-tag a-" + a.state, text: a.state }), a.error ? line("bad", a.error) : ""),
        td("Why", a.reason, line("muted", "firebreak approve " + a.id + " --signer NAME")));
    }));
  }

  function renderReadiness(r) {
    if (!r.checked) return empty("No readiness check has run yet (none runs in shadow mode).");
    var wrap = document.createDocumentFragment();
    wrap.appendChild(h("p", { class: "state " + (r.ok ? "good" : "bad") },
      (r.ok ? "Every pauser can pause now" : "Some containment actions cannot be taken now") + " (checked ", time(r.at), ")."));
    wrap.appendChild(table("h-readiness", ["Status", "Check", "Protocol", "Contract", "Action", "Chain", "Signer", "Detail"], r.findings.map(function (f) {
      return h("tr", null,
        td("Status", h("span", { class: "status st-" + f.status, text: f.status })),
        td("Check", f.check), td("Protocol", f.protocol), td("Contract", f.contract), td("Action", f.action),
        td("Chain", f.chain), td("Signer", f.signer),
        td("Detail", f.detail, f.fix ? line("fix", "fix: " + f.fix) : ""));
    })));
    return wrap;
  }

  function renderPolicy(p) {
    var dl = h("dl", { class: "facts" });
    function fact(k, v, cls) { dl.appendChild(h("dt", { text: k })); dl.appendChild(h("dd", { class: cls || null }, v)); }
    fact("Source", p.source, "mono");
    fact("Revision", p.revision, "mono");
    fact("Loaded", time(p.loaded_at));
    fact("Reloads", p.reloads + " (" + p.failures + " failed)");
    fact("Last reload", p.last_error
      ? [h("span", { class: "bad" }, "failed at ", time(p.last_error_at), ": " + p.last_error), " (the revision above stays in force)"]
      : h("span", { class: "good", text: "ok" }));
    return dl;
  }

  // replace swaps a section's body when its data changed, keeping open
  // <details> open and the keyboard focus where it was.
  function replace(id, data, render) {
    var key = JSON.stringify(data);
    if (last[id] === key) return;
    last[id] = key;
    var body = document.getElementById(id + "-body");
    if (!body) return;
    var open = {};
    body.querySelectorAll("details[open]").forEach(function (d) { open[d.getAttribute("data-key")] = true; });
    var focused = document.activeElement && body.contains(document.activeElement) ? document.activeElement : null;
    var holder = focused ? focused.closest("[data-key]") : null;
    var focusKey = holder ? holder.getAttribute("data-key") : null;
    var next = h("div", { id: id + "-body" }, render(data));
    next.querySelectorAll("details[data-key]").forEach(function (d) { if (open[d.getAttribute("data-key")]) d.open = true; });
    body.replaceWith(next);
    if (focusKey) {
      var again = next.querySelector('[data-key="' + CSS.escape(focusKey) + '"] summary');
      if (again) again.focus();
    }
  }

  function setBadge(id, cls, text) {
    var b = document.getElementById(id);
    if (!b) return;
    b.className = "badge " + cls;
    b.textContent = text;
  }

  function show(s) {
    var ks = s.kill_switch;
    setBadge("ks-badge", ks.halted ? "bad" : ks.error ? "warn" : "good", ks.halted ? "HALTED" : ks.error ? "kill switch unreadable" : "acting");
    var r = s.readiness;
    setBadge("ready-badge", !r.checked ? "muted" : r.ok ? "good" : "bad", !r.checked ? "readiness not checked" : r.ok ? "ready" : "NOT READY");
    document.title = (ks.halted ? "HALTED · " : "") + "firebreak console";
    replace("killswitch", ks, renderKillSwitch);
    replace("events", s.events, renderEvents);
    replace("actions", s.actions, renderActions);
    replace("approvals", s.approvals, renderApprovals);
    replace("readiness", r, renderReadiness);
    replace("policy", s.policy, renderPolicy);
    ["events", "actions", "approvals"].forEach(function (k) {
      var c = document.getElementById(k + "-count");
      if (c) c.textContent = "(" + s[k].length + ")";
    });
    operable(ks.operable);
    status("As of ", time(s.at), s.loading ? " (still reading the stores)" : "");
  }

  function status() {
    var el = document.getElementById("updated");
    if (!el) return;
    var next = h("span", { id: "updated" }, Array.prototype.slice.call(arguments));
    el.replaceWith(next);
  }

  function operable(on) {
    var form = document.getElementById("ks-form");
    if (!form) return;
    form.hidden = false;
    document.getElementById("ks-off").hidden = on;
    document.getElementById("ks-fields").disabled = !on;
  }

  var timer = null;
  function poll() {
    clearTimeout(timer);
    fetch("/api/state", { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (resp) {
        if (resp.status === 401 || resp.status === 403) throw new Error("not signed in to the console (reload the page to sign in)");
        if (!resp.ok) throw new Error("the console answered " + resp.status);
        return resp.json();
      })
      .then(show)
      .catch(function (err) { status("Not updating: " + err.message + "; trying again in 2 s"); })
      .then(function () { timer = setTimeout(poll, POLL_MS); });
  }

  function operate(ev) {
    ev.preventDefault();
    var what = ev.submitter && ev.submitter.value === "resume" ? "resume" : "halt";
    var token = document.getElementById("ks-token").value.trim();
    var reason = document.getElementById("ks-reason").value.trim();
    var result = document.getElementById("ks-result");
    if (!token) { result.textContent = "Enter the operator token first."; document.getElementById("ks-token").focus(); return; }
    if (what === "halt" && !reason) { result.textContent = "A halt needs a reason."; document.getElementById("ks-reason").focus(); return; }
    result.textContent = what === "halt" ? "Halting…" : "Resuming…";
    fetch("/api/" + what, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(what === "halt" ? { reason: reason } : {})
    }).then(function (resp) {
      return resp.json().then(function (body) {
        if (!resp.ok) throw new Error(body.error || ("the console answered " + resp.status));
        return body;
      });
    }).then(function (body) {
      result.textContent = body.kill_switch.halted ? "Halted: firebreak takes no action until resumed." : "Resumed: firebreak acts on the next event.";
      document.getElementById("ks-reason").value = "";
      replace("killswitch", body.kill_switch, renderKillSwitch);
      poll();
    }).catch(function (err) {
      result.textContent = "Not done: " + err.message;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("ks-form");
    if (form) {
      form.addEventListener("submit", operate);
      operable(!document.getElementById("ks-fields").disabled);
    }
    timer = setTimeout(poll, POLL_MS);
  });
})();
