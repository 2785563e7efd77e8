/*
 * The helpline dashboard: charts, cases (list, detail, notes, withdraw), opening a case on
 * someone's behalf (photos hashed here, only codes sent), the review queue and the audit log.
 * Everything comes from /v1/helpline with the helpline's key, kept in this tab only.
 */
(function () {
  "use strict";
  const { say, api, element, hashFile, submissionSignals, limits } = window.Stukje;
  const { barChart } = window.StukjeCharts;
  const $ = (id) => document.getElementById(id);
  const language = document.documentElement.lang;
  const KEY = "stukje-helpline-key";
  const ACTIONS = ["blocked", "not_blocked", "pending_review", "false_positive"];
  let key = "";
  let casesBefore = null;
  let auditBefore = null;
  let openSignals = [];
  let shownCase = null;

  const call = (method, path, body) => api(method, "/v1/helpline" + path, { key, body });
  const when = (iso) => new Date(iso).toLocaleString(language);
  const cell = (text) => element("td", { text: String(text) });

  async function signIn(event) {
    if (event) event.preventDefault();
    key = $("helpline-key").value.trim();
    try {
      await loadStats();
    } catch (error) {
      $("sign-in-status").textContent = say("bad_key");
      return;
    }
    sessionStorage.setItem(KEY, key);
    $("sign-in").hidden = true;
    $("sign-in-status").textContent = "";
    $("dashboard").hidden = false;
    await Promise.all([loadCases(true), loadReview(), loadAudit(true)]);
    document.body.dataset.signedIn = "true";
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    window.location.reload();
  }

  async function loadStats() {
    const stats = await call("GET", "/stats?days=30");
    const days = stats.matches_per_day;
    const total = days.reduce((a, d) => a + d.count, 0);
    barChart($("chart-matches"), days.map((d, i) => ({
      label: d.day.slice(8), values: [d.count], title: `${d.day}: ${d.count}`,
      showLabel: i % 5 === 4 || i === days.length - 1,
    })), `${say("chart_matches")}: ${total}`);
    const actions = ACTIONS.map((a) => ({ label: say("action_" + a), values: [stats.partner_actions[a] || 0] }));
    barChart($("chart-actions"), actions.map((a, i) => ({ ...a, label: String(i + 1), title: `${a.label}: ${a.values[0]}` })),
      actions.map((a) => `${a.label}: ${a.values[0]}`).join("; "));
    const legend = element("ol", { "aria-hidden": "true" },
      ...actions.map((a) => element("li", { text: `${a.label}: ${a.values[0]}` })));
    const oldLegend = $("chart-actions").querySelector("ol");
    if (oldLegend) oldLegend.replaceWith(legend);
    else $("chart-actions").append(legend);
    const nudges = stats.nudge_outcomes;
    barChart($("chart-nudges"), nudges.map((n, i) => ({
      label: n.day.slice(8), values: [n.cancelled + n.asked_for_help, n.sent_anyway],
      title: `${n.day}: ${say("reconsidered")} ${n.cancelled + n.asked_for_help}, ${say("sent_anyway")} ${n.sent_anyway}`,
      showLabel: i % 5 === 4 || i === nudges.length - 1,
    })), say("chart_nudges"));
    const share = stats.reconsidered_share;
    $("reconsidered-share").textContent = share === null ? say("no_data")
      : say("reconsidered_share", { share: Math.round(share * 100) + "%" });
    document.body.dataset.statsLoaded = "true";
  }

  async function loadCases(fresh) {
    if (fresh) {
      casesBefore = null;
      $("cases-table").tBodies[0].replaceChildren();
    }
    const status = $("case-filter").value;
    const query = new URLSearchParams({ limit: "20" });
    if (status) query.set("status", status);
    if (casesBefore) query.set("before", String(casesBefore));
    const page = await call("GET", "/cases?" + query);
    for (const c of page.cases) {
      const open = element("button", { class: "button small", type: "button", text: c.case_number,
        "aria-label": `${say("open")} ${c.case_number}`, onclick: () => showCase(c.case_number) });
      $("cases-table").tBodies[0].append(element("tr", { "data-case": c.case_number },
        element("td", {}, open), cell(say(c.status)), cell(when(c.created_at)), cell(c.signal_count),
        cell(c.match_count), cell(c.opened_by || say("the_person"))));
    }
    casesBefore = page.next_before;
    $("cases-older").hidden = casesBefore === null;
  }

  async function showCase(number) {
    const [view, notes] = await Promise.all([
      call("GET", "/cases/" + encodeURIComponent(number)),
      call("GET", "/cases/" + encodeURIComponent(number) + "/notes"),
    ]);
    shownCase = number;
    $("detail-title").textContent = `${say("case_detail")} ${view.case_number}`;
    const facts = [
      [say("status"), say(view.status)], [say("language"), view.language],
      [say("opened"), when(view.created_at)], [say("signal_count"), view.signal_count],
      [say("match_count"), view.match_count],
      ...ACTIONS.map((a) => [say("action_" + a), view.partner_actions[a] || 0]),
    ];
    $("detail-facts").replaceChildren(...facts.flatMap(([name, value]) =>
      [element("dt", { text: name }), element("dd", { text: String(value) })]));
    $("detail-notes").replaceChildren(...notes.map((n) =>
      element("li", { text: `${when(n.created_at)} · ${n.partner_name}: ${n.body}` })));
    $("detail-withdraw").hidden = view.status !== "active";
    $("case-detail").hidden = false;
    $("case-detail").focus();
  }

  async function addNote(event) {
    event.preventDefault();
    await call("POST", "/cases/" + encodeURIComponent(shownCase) + "/notes", { body: $("note-text").value });
    $("note-text").value = "";
    await showCase(shownCase);
  }

  async function withdrawShown() {
    if (!window.confirm(say("withdraw_confirm"))) return;
    await call("POST", "/cases/" + encodeURIComponent(shownCase) + "/withdraw");
    await Promise.all([showCase(shownCase), loadCases(true)]);
  }

  async function hashForCase(event) {
    const files = Array.from(event.target.files);
    event.target.value = "";
    for (const file of files) {
      try {
        const result = await hashFile(file, { thumbnailSize: 64 });
        openSignals.push(...submissionSignals(result));
        $("open-codes").append(element("li", { class: "photo", "data-hash": result.hash },
          result.thumbnail, element("code", { class: "code", text: result.hash })));
      } catch (error) {
        $("open-codes").append(element("li", { class: "photo warning", text: `${file.name}: ${say("unreadable")}` }));
      }
    }
    $("open-case").disabled = openSignals.length === 0;
  }

  async function openCase() {
    try {
      // At most limits.perRequest codes a request: the rest are added to the new case.
      const batch = limits.perRequest;
      const created = await call("POST", "/cases", { signals: openSignals.slice(0, batch), language });
      for (let start = batch; start < openSignals.length; start += batch) {
        await call("POST", "/cases/" + encodeURIComponent(created.case_number) + "/signals",
          { signals: openSignals.slice(start, start + batch) });
      }
      $("open-number").textContent = created.case_number;
      $("open-pin").textContent = created.pin;
      $("open-receipt").hidden = false;
      openSignals = [];
      $("open-codes").replaceChildren();
      $("open-case").disabled = true;
      await loadCases(true);
    } catch (error) {
      $("open-status").textContent = say("send_failed");
    }
  }

  async function loadReview() {
    const items = await call("GET", "/review?limit=100");
    const body = $("review-table").tBodies[0];
    body.replaceChildren();
    if (!items.length) {
      body.append(element("tr", {}, element("td", { colspan: "6", text: say("review_empty") })));
    }
    for (const item of items) {
      const decide = (decision, label) => element("button", {
        class: "button small", type: "button", text: label, "data-decision": decision,
        onclick: async () => {
          await call("POST", "/review/" + item.match_event_id, { decision });
          await Promise.all([loadReview(), loadAudit(true)]);
        },
      });
      body.append(element("tr", { "data-event": String(item.match_event_id) },
        cell(item.match_event_id), cell(item.case_number || "–"), cell(item.partner_name),
        cell(item.distance), cell(item.verdicts.map((v) => say("action_" + v)).join(", ")),
        element("td", {}, element("div", { class: "actions" },
          decide("confirmed", say("confirm")), decide("false_positive", say("false_positive")),
          decide("signal_withdrawn", say("withdraw_signal"))))));
    }
  }

  async function loadAudit(fresh) {
    if (fresh) {
      auditBefore = null;
      $("audit-table").tBodies[0].replaceChildren();
    }
    const query = new URLSearchParams({ limit: "25" });
    if (auditBefore) query.set("before", String(auditBefore));
    const page = await call("GET", "/audit?" + query);
    for (const e of page.entries) {
      $("audit-table").tBodies[0].append(element("tr", {},
        cell(when(e.at)), cell(e.actor), cell(e.action), cell(e.target), cell(e.detail)));
    }
    auditBefore = page.next_before;
    $("audit-older").hidden = auditBefore === null;
  }

  $("sign-in").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("case-filter").addEventListener("change", () => loadCases(true));
  $("cases-older").addEventListener("click", () => loadCases(false));
  $("audit-older").addEventListener("click", () => loadAudit(false));
  $("note-form").addEventListener("submit", addNote);
  $("detail-withdraw").addEventListener("click", withdrawShown);
  $("open-photos").addEventListener("change", hashForCase);
  $("open-case").addEventListener("click", openCase);
  const saved = sessionStorage.getItem(KEY);
  if (saved) {
    $("helpline-key").value = saved;
    signIn();
  }
  document.body.dataset.ready = "true";
})();
